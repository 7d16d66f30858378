#define _POSIX_C_SOURCE 200809L
/* knet command line, before PetscInitialize(): stray words, -options_file (opened, parsed, duplicate keys), help
   and version requests. PETSc reads -options_file inside PetscInitialize(), where a missing or malformed file is a
   traceback and an MPI_Abort; checked here first, the user gets one line instead. Plain C: PETSc is not running. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "knet.h"
#if defined(KNET_HAVE_YAML)
  #include <yaml.h>
#endif

static void Msg(char msg[], size_t len, const char fmt[], ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, len, fmt, ap);
  va_end(ap);
}

/* PETSc's rule (PetscOptionsValidKey()): -name or --name starting with a letter; -1 and -1e3 are values. */
int KNetIsKey(const char s[])
{
  char *end;

  if (!s || s[0] != '-') return 0;
  if (s[1] == '-') s++;
  if (!isalpha((unsigned char)s[1])) return 0;
  (void)strtod(s, &end);
  return !(end != s && !(*end == '_' || isalnum((unsigned char)*end)));
}

int KNetIsHelpKey(const char s[])
{
  return !strcmp(s, "-help") || !strcmp(s, "--help") || !strcmp(s, "-h");
}

#if defined(KNET_HAVE_YAML)
typedef struct {
  char **name;
  int   *line, n, cap;
} Seen;

/* Records prefix+key; 1 and a message if a previous key flattened to the same option. */
static int Record(Seen *s, const char file[], const char prefix[], const char key[], int line, char msg[], size_t len)
{
  char name[512];

  snprintf(name, sizeof(name), "%s%s", prefix, key);
  for (int i = 0; i < s->n; i++)
    if (!strcasecmp(s->name[i], name)) {
      Msg(msg, len, "%s:%d: option -%s is set twice (first at line %d); keep one", file, line, name, s->line[i]);
      return 1;
    }
  if (s->n == s->cap) {
    s->cap  = s->cap ? 2 * s->cap : 64;
    s->name = realloc(s->name, (size_t)s->cap * sizeof(char *));
    s->line = realloc(s->line, (size_t)s->cap * sizeof(int));
  }
  s->name[s->n] = strdup(name);
  s->line[s->n++] = line;
  return 0;
}

/* The walk of PETSc's YAML reader (mappings nest prefixes key_, "<<" merges, "$$" keys are skipped). */
static int Walk(yaml_document_t *doc, yaml_node_t *node, const char prefix[], Seen *seen, const char file[], char msg[], size_t len)
{
  if (node->type == YAML_SCALAR_NODE && !node->data.scalar.value[0]) return 0;
  if (node->type != YAML_MAPPING_NODE) {
    Msg(msg, len, "%s:%d: expected 'key: value' lines (a YAML mapping)", file, (int)node->start_mark.line + 1);
    return 1;
  }
  for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(doc, p->key), *v = yaml_document_get_node(doc, p->value);
    const char  *key;
    char         sub[512];
    int          line;

    if (!k || !v) continue;
    line = (int)k->start_mark.line + 1;
    if (k->type != YAML_SCALAR_NODE) {
      Msg(msg, len, "%s:%d: a key must be a plain name", file, line);
      return 1;
    }
    key = (const char *)k->data.scalar.value;
    if (!strncmp(key, "$$", 2)) continue;
    if (!strcmp(key, "<<")) {
      if (v->type == YAML_MAPPING_NODE && Walk(doc, v, prefix, seen, file, msg, len)) return 1;
      if (v->type == YAML_SEQUENCE_NODE)
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
          if (Walk(doc, yaml_document_get_node(doc, *it), prefix, seen, file, msg, len)) return 1;
      continue;
    }
    snprintf(sub, sizeof(sub), "%s%s_", prefix, key);
    if (v->type == YAML_MAPPING_NODE) {
      if (Walk(doc, v, sub, seen, file, msg, len)) return 1;
      continue;
    }
    if (Record(seen, file, prefix, key, line, msg, len)) return 1;
    if (v->type == YAML_SEQUENCE_NODE)
      for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(doc, *it);
        if (item && item->type == YAML_MAPPING_NODE && Walk(doc, item, sub, seen, file, msg, len)) return 1;
      }
  }
  return 0;
}

static int CheckYAML(const char file[], FILE *fp, char msg[], size_t len)
{
  yaml_parser_t   parser;
  yaml_document_t doc;
  Seen            seen = {NULL, NULL, 0, 0};
  int             bad  = 0;

  if (!yaml_parser_initialize(&parser)) {
    Msg(msg, len, "%s: cannot start the YAML parser", file);
    return 1;
  }
  yaml_parser_set_input_file(&parser, fp);
  while (!bad) {
    yaml_node_t *root;
    if (!yaml_parser_load(&parser, &doc)) {
      Msg(msg, len, "%s:%d:%d: not valid YAML: %s%s%s", file, (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1, parser.problem ? parser.problem : "parse error", parser.context ? " " : "", parser.context ? parser.context : "");
      bad = 1;
      break;
    }
    root = yaml_document_get_root_node(&doc);
    if (!root) {
      yaml_document_delete(&doc);
      break;
    }
    bad = Walk(&doc, root, "", &seen, file, msg, len);
    yaml_document_delete(&doc);
  }
  yaml_parser_delete(&parser);
  for (int i = 0; i < seen.n; i++) free(seen.name[i]);
  free(seen.name);
  free(seen.line);
  return bad;
}
#endif

/* YAML as PETSc decides it (PetscOptionsFilename()): a name ending in :yaml, .yaml, .yml, .json, or a %YAML first line. */
static int IsYAML(char path[], FILE *fp)
{
  size_t n = strlen(path);
  char   first[8] = "";

  if (n > 5 && !strcmp(path + n - 5, ":yaml")) return 1;
  if ((n > 5 && !strcmp(path + n - 5, ".yaml")) || (n > 4 && !strcmp(path + n - 4, ".yml")) || (n > 5 && !strcmp(path + n - 5, ".json"))) return 1;
  if (fp && fgets(first, sizeof(first), fp) && !strncmp(first, "%YAML", 5)) {
    rewind(fp);
    return 1;
  }
  if (fp) rewind(fp);
  return 0;
}

/* 0 if the file can be read (and, for YAML, parses without duplicate keys); else 1 and a one-line message. */
int KNetCheckOptionsFile(const char file[], int isyaml, char msg[], size_t len)
{
  char        path[4096];
  struct stat st;
  FILE       *fp;
  int         bad = 0, yaml;
  size_t      n;

  snprintf(path, sizeof(path), "%s", file);
  n = strlen(path);
  if (n > 5 && !strcmp(path + n - 5, ":yaml")) path[n - 5] = 0;
  if (stat(path, &st)) {
    Msg(msg, len, "-options_file %s: %s", file, strerror(errno));
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    Msg(msg, len, "-options_file %s: is a directory, not a file", file);
    return 1;
  }
  fp = fopen(path, "r");
  if (!fp) {
    Msg(msg, len, "-options_file %s: %s", file, strerror(errno));
    return 1;
  }
  yaml = isyaml || IsYAML(path, fp) || (n > 5 && !strcmp(file + n - 5, ":yaml"));
#if defined(KNET_HAVE_YAML)
  if (yaml) bad = CheckYAML(file, fp, msg, len);
#else
  (void)yaml;
#endif
  fclose(fp);
  return bad;
}

/*
  Scans argv[first..]: words that are neither an option nor an option's value are an error (PETSc ignores them), as is
  -options_file without a file or (if files) with a bad one. *help is 0, 1 for -help / -h / --help (knet's concise list) or 2 for
  -help all (PETSc's full list too); *helparg is the argument main() hides from PETSc (the concise -help, or "all").
*/
int KNetScanArgs(int argc, char **argv, int first, const char cmd[], int files, int *help, int *helparg, char msg[], size_t len)
{
  *help = 0, *helparg = -1;
  for (int i = first; i < argc; i++) {
    const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
    if (!KNetIsKey(a)) {
      Msg(msg, len, "unexpected argument '%s' (options start with -, each takes at most one value; see knet %s -help)", a, cmd);
      return 1;
    }
    if (KNetIsHelpKey(a)) {
      if (next && !strcmp(next, "all")) *help = 2, *helparg = ++i; /* PETSc 3.18 wants -help [bool]: "all" is knet's */
      else if (*help < 2) *help = 1, *helparg = i;
      if (next && !KNetIsKey(next) && strcmp(next, "all")) i++; /* -help intro etc.: PETSc's values */
      continue;
    }
    if (!strcmp(a, "-options_file") || !strcmp(a, "-options_file_yaml")) {
      if (!next || KNetIsKey(next)) {
        Msg(msg, len, "%s needs a file name", a);
        return 1;
      }
      if (files && KNetCheckOptionsFile(next, !strcmp(a, "-options_file_yaml"), msg, len)) return 1;
    }
    if (next && !KNetIsKey(next)) i++; /* its value */
  }
  return 0;
}
