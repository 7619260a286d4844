// Kernels of the tfjs backend are registered here once it lands.
