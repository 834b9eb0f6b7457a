/* For the tests under Wine only, never shipped: Rust's standard library takes its randomness
 * from ProcessPrng in bcryptprimitives.dll (Windows 10 and later), which Wine 8 lacks. This
 * DLL, placed beside a test executable, provides it through RtlGenRandom (SystemFunction036
 * of advapi32, which Wine has). Built by scripts/windows.sh with MinGW-w64. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
