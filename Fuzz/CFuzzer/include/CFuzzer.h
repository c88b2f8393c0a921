#ifndef TERN_CFUZZER_H
#define TERN_CFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, linked by -sanitize=fuzzer): parses the
/// libFuzzer flags in argv and fuzzes `callback`. Only defined in fuzz builds.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
