#pragma once
#include "core/version.h"
