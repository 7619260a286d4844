// Kernels of the gpujs backend are registered here once it lands.
