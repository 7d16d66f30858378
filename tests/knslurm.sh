# Sourced by the SLURM tests: a REAL one-node SLURM cluster (munged, slurmctld and slurmd of Debian's munge and
# slurm-wlm) with a private key, config, state directories, sockets and free ports under $tmp, stopped on exit.
#   kn_slurm_start TMPDIR [slurm.conf lines...]  -> exports SLURM_CONF; calls skip_all REASON if it cannot run here
# Needs skip_all() from the caller. The node declares 64 GiB (RealMemory, taken as given: config_overrides), so jobs
# may ask for --mem on any machine; memory is scheduled (CR_Core_Memory) but not enforced.
kn_slurm_stop() {
  scancel --quiet --full -u "$(id -un)" 2> /dev/null
  for f in slurmd slurmctld munge/munged; do [ -s "$kn_slurm_tmp/$f.pid" ] && kill "$(cat "$kn_slurm_tmp/$f.pid")" 2> /dev/null; done
  sleep 0.5
  for f in slurmd slurmctld munge/munged; do [ -s "$kn_slurm_tmp/$f.pid" ] && kill -9 "$(cat "$kn_slurm_tmp/$f.pid")" 2> /dev/null; done
}

kn_slurm_start() {
  local tmp=$1 p1 p2 host cpus up
  shift
  kn_slurm_tmp=$tmp
  for p in munged mungekey slurmctld slurmd sbatch scontrol squeue sinfo scancel srun; do
    command -v "$p" > /dev/null || skip_all "$p not found: install slurm-wlm and munge (tools/bootstrap.sh does)"
  done
  [ "$(id -u)" -eq 0 ] || skip_all "the private SLURM daemons run as SlurmUser=root and this test is not root"
  export SLURM_CONF="$tmp/slurm.conf"
  mkdir -p "$tmp/munge" "$tmp/ctld" "$tmp/spool" "$tmp/log"
  chmod 755 "$tmp"
  chmod 700 "$tmp/munge"
  mungekey --create --keyfile="$tmp/munge/munge.key" 2> /dev/null || dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 2> /dev/null
  chmod 400 "$tmp/munge/munge.key"
  munged --force --socket="$tmp/munge/sock" --key-file="$tmp/munge/munge.key" --log-file="$tmp/log/munged.log" \
    --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/seed" 2> "$tmp/log/munged.err" ||
    skip_all "munged does not start here: $(tail -1 "$tmp/log/munged.err")"
  read -r p1 p2 < <(/usr/bin/python3 -c "import socket; s = [socket.socket() for _ in range(2)]; [x.bind(('', 0)) for x in s]; print(*[x.getsockname()[1] for x in s])")
  host=$(hostname -s)
  cpus=$(nproc)
  cat > "$SLURM_CONF" <<CONF
ClusterName=kn$$
SlurmctldHost=$host
SlurmctldPort=$p1
SlurmdPort=$p2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/sock
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation=$tmp/ctld
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
KillWait=10
MinJobAge=600
$(printf '%s\n' "$@")
SlurmdParameters=config_overrides
NodeName=$host CPUs=$cpus RealMemory=65536 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
  slurmctld -f "$SLURM_CONF" 2> "$tmp/log/ctld.err" || skip_all "slurmctld does not start here: $(tail -1 "$tmp/log/ctld.err")"
  slurmd -f "$SLURM_CONF" 2> "$tmp/log/slurmd.err" || skip_all "slurmd does not start here: $(tail -1 "$tmp/log/slurmd.err")"
  up=1
  for _ in $(seq 1 60); do sinfo -h -o %T 2> /dev/null | grep -q idle && { up=0; break; }; sleep 0.5; done
  [ $up -eq 0 ] || skip_all "the local SLURM node did not become idle within 30 s: $(tail -1 "$tmp/log/slurmctld.log" 2> /dev/null)"
  echo "# SLURM $(sinfo -V) up: $(sinfo -h -o '%P %a %D %T %N %m MB')"
}

# wait for a file / a job state (timeout in seconds); a field of scontrol show job
kn_await_file() { for _ in $(seq 1 $(($2 * 10))); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }
kn_jobfield() { scontrol show job "$1" 2> /dev/null | grep -o "$2=[^ ]*" | head -1 | cut -d= -f2; }
kn_await_state() { for _ in $(seq 1 $(($3 * 5))); do [ "$(kn_jobfield "$1" JobState)" = "$2" ] && return 0; sleep 0.2; done; return 1; }
kn_await_gone() { for _ in $(seq 1 $(($2 * 5))); do case "$(kn_jobfield "$1" JobState)" in COMPLETED | FAILED | CANCELLED | TIMEOUT | "") return 0 ;; esac; sleep 0.2; done; return 1; }
