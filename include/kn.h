/* KirchhoffNet: analog circuits as neural networks on PETSc. Umbrella header. */
#pragma once

#include <kn/knsys.h>
#include <kn/kngraph.h>
#include <kn/kndevice.h>
#include <kn/kncircuit.h>
#include <kn/knnet.h>
#include <kn/kngrid.h>
#include <kn/knio.h>
#include <kn/kncheckpoint.h>
#include <kn/knspice.h>
#include <kn/kndataset.h>
#include <kn/knloss.h>
#include <kn/knoptim.h>
#include <kn/kntrainer.h>
#include <kn/knrobust.h>
