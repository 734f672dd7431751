#!/usr/bin/env python3
# Debian OpenBLAS sgemm rate via ctypes (the library lrsim links), 1 and 2 threads, big and MLP shapes.
import ctypes, numpy as np, time, sys
lib = ctypes.CDLL("libopenblas.so.0")
lib.openblas_set_num_threads.argtypes=[ctypes.c_int]
lib.openblas_get_corename.restype=ctypes.c_char_p
def rate(m,n,k,threads,reps):
    lib.openblas_set_num_threads(threads)
    a=np.random.rand(m,k).astype(np.float32); b=np.random.rand(k,n).astype(np.float32); c=np.zeros((m,n),np.float32)
    P=ctypes.c_void_p
    f=lambda: lib.cblas_sgemm(101,111,111,m,n,k,ctypes.c_float(1.0),P(a.ctypes.data),k,P(b.ctypes.data),n,ctypes.c_float(0.0),P(c.ctypes.data),n)
    f(); best=1e9
    for _ in range(5):
        t=time.perf_counter()
        for _ in range(reps): f()
        best=min(best,(time.perf_counter()-t)/reps)
    return 2*m*n*k/best/1e9
print("core", lib.openblas_get_corename().decode())
for (m,n,k,r) in [(2048,2048,2048,3),(128,256,784,200),(256,784,128,200)]:
    print(f"{m}x{n}x{k}: 1 thread {rate(m,n,k,1,r):.1f} GFLOP/s, 2 threads {rate(m,n,k,2,r):.1f} GFLOP/s")
