// tcpsim-gui: quiz tests (issue #13). Filled in by the quiz work.
#include <gtest/gtest.h>
