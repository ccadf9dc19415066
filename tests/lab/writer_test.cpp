// tcpsim: writer tests (issue #13).
#include <gtest/gtest.h>
