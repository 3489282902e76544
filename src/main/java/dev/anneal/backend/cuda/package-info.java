/**
 * The CUDA backend: {@link dev.anneal.backend.cuda.CudaBackend} runs the {@link dev.anneal.backend.Backend} ops
 * on an NVIDIA GPU through JCuda's driver API, with the kernels of {@code cuda-kernels/} compiled to PTX at build
 * time and loaded from the jar. {@link dev.anneal.backend.cuda.DeviceChoice} turns the config's {@code device}
 * into a backend; {@link dev.anneal.backend.cuda.CudaStatus} says whether CUDA can be used and, if not, why.
 *
 * <p>Layers, each testable without the one below: {@code CudaPlanner} checks an op's arguments with the CPU
 * backend's rules and turns it into typed launchers (one record per kernel, grouped by kernel file:
 * {@code OptimLaunches}, {@code GemmLaunches} (an {@code SgemmLaunch} in the tiles and K slices of its
 * {@code GemmPlan}), {@code LayerLaunches}, {@code LossLaunches}, {@code ReduceLaunches},
 * {@code ElementwiseLaunches}, {@code ConvLaunches}, {@code PoolLaunches}, {@code NormLaunches},
 * {@code DropoutLaunches}), which pack exactly the parameter list of their
 * {@link dev.anneal.backend.cuda.Kernel} ({@code KernelArgs}) and pick the grid ({@code Grid}); the backend queues
 * them, writing each launch's values into the kernel's argument block, packed once per backend
 * ({@code ArgumentBlocks}). The layer op families ({@code CudaConv}, {@code CudaPool}, {@code CudaNorm},
 * {@code CudaDropout}) plan through the same planner and hand their launchers to the backend's {@code OpQueue}.
 * {@link dev.anneal.backend.cuda.Kernel} and {@link dev.anneal.backend.cuda.PtxEntries} are the contract with the
 * PTX.
 *
 * <p>Driver entry points called (what a host emulation of {@code libcuda.so.1} must export, by the symbol names
 * JCuda 12.6's {@code libJCudaDriver} binds): {@code cuInit}, {@code cuDriverGetVersion}, {@code cuDeviceGetCount},
 * {@code cuDeviceGet}, {@code cuDeviceGetName}, {@code cuDeviceGetAttribute} (compute capability, multiprocessor
 * count), {@code cuDeviceTotalMem_v2}, {@code cuDevicePrimaryCtxRetain}, {@code cuDevicePrimaryCtxRelease_v2},
 * {@code cuCtxSetCurrent}, {@code cuStreamCreate}, {@code cuStreamSynchronize}, {@code cuStreamDestroy_v2},
 * {@code cuModuleLoadData}, {@code cuModuleUnload}, {@code cuModuleGetFunction}, {@code cuLaunchKernel},
 * {@code cuMemAlloc_v2}, {@code cuMemFree_v2}, {@code cuMemsetD32Async}, {@code cuMemAllocHost_v2},
 * {@code cuMemFreeHost}, {@code cuMemcpyHtoDAsync_v2}, {@code cuMemcpyDtoHAsync_v2}, {@code cuMemcpyDtoDAsync_v2},
 * {@code cuEventCreate}, {@code cuEventRecord}, {@code cuEventSynchronize}, {@code cuEventDestroy_v2}; for
 * CUDA graphs {@code cuStreamBeginCapture_v2}, {@code cuStreamEndCapture}, {@code cuGraphInstantiateWithFlags},
 * {@code cuGraphLaunch}, {@code cuGraphExecDestroy}, {@code cuGraphDestroy}; for several devices
 * {@code cuDeviceCanAccessPeer}, {@code cuCtxEnablePeerAccess}, {@code cuMemcpyPeerAsync},
 * {@code cuStreamWaitEvent}. The JVM
 * loads the JNI library lazily bound, so other symbols JCuda references are resolved only if called.
 */
package dev.anneal.backend.cuda;
