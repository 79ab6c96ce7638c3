// Builds without the AVX2 kernels (not x86): avx2_available() is false, so no plan is ever
// created and these entry points, which only satisfy the linker, are never called.
#if !defined(KILN_HOST_SIMD_AVX2)

#include "exec/host_simd/avx2_kernels.h"

namespace kiln::exec::host_simd {

void int8_gemm_avx2(const Int8GemmView&, const int16_t* const*, int32_t, int8_t*, ptrdiff_t) {}
void conv2d_int8_avx2(const Conv2DInt8View&, const int8_t*, int8_t*) {}
void depthwise_conv2d_int8_avx2(const DepthwiseConv2DInt8View&, const int8_t*, int8_t*) {}
void fully_connected_int8_avx2(const FullyConnectedInt8View&, const int8_t*, int8_t*) {}
void fully_connected_chain_avx2(const FullyConnectedInt8View* const*, int32_t, const int8_t*,
                                const int8_t*, int8_t*) {}

}  // namespace kiln::exec::host_simd

#endif
