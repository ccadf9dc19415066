// tcpsim-gui: lab tests (issue #13). Filled in by the lab work.
#include <gtest/gtest.h>
