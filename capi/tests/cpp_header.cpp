// The header from C++17: it compiles with -Wall -Wextra -Werror, the
// functions have C linkage, and a call works.
#include "relu_simd.h"

#include <cstdio>
#include <cstring>
#include <vector>

int main() {
    std::vector<float> x{-1.0f, 0.5f, -0.0f, 3.0f};
    int status = relu_simd_relu_inplace_f32(x.data(), x.size());
    if (status != RELU_SIMD_OK) {
        std::printf("relu_simd_relu_inplace_f32: %s\n", relu_simd_status_str(status));
        return 1;
    }
    const float want[] = {0.0f, 0.5f, 0.0f, 3.0f};
    if (std::memcmp(x.data(), want, sizeof want) != 0) return 1;
    std::size_t inactive = 0;
    std::vector<uint16_t> h{0xbc00, 0x3c00};  // f16 -1.0, 1.0
    if (relu_simd_relu_count_inactive_inplace_f16(h.data(), h.size(), &inactive) != RELU_SIMD_OK ||
        inactive != 1 || h[0] != 0)
        return 1;
    std::printf("C++17: relu_simd_relu_inplace_f32 on %s: 1 passed, 0 failed\n", relu_simd_backend());
    return 0;
}
