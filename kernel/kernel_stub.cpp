// Placeholder translation unit; the kernel runner replaces it.
namespace tcpsim::kernel { int placeholder() { return 0; } }
