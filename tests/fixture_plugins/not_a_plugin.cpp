// A shared library named like a plugin that is none.
extern "C" __attribute__((visibility("default"))) int recbench_unrelated_function() { return 42; }
