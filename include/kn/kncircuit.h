/* placeholder: filled in by the circuit/net/io work */
#pragma once

#include <kn/knsys.h>
