// tcpsim: lab tests (issue #13).
#include <gtest/gtest.h>
