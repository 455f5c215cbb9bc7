# Peer for the `viscoplastic` bench suite: the same backward-Euler Perzyna-Ludwik radial return (b = 1,
# sigma_y-normalised, n = 2) vectorised over material points with numpy; prints ns per elastic and plastic update.
import sys, time
import numpy as np

E, NU, Y0, K, A = 1.05e9, 0.326, 19.36e6, 5.94e9, 8.08e-3
G = E / (2 * (1 + NU)); KB = E / (3 * (1 - 2 * NU))

def update(eps, ep, p, dt):
    ee = eps - ep
    tr = ee[:, 0] + ee[:, 1] + ee[:, 2]
    s = np.empty_like(ee)
    s[:, :3] = 2 * G * (ee[:, :3] - tr[:, None] / 3)
    s[:, 3:] = G * ee[:, 3:]
    eq = np.sqrt(1.5 * ((s[:, :3] ** 2).sum(1) + 2 * (s[:, 3:] ** 2).sum(1)))
    y = Y0 + K * p * p
    plastic = eq > y
    dl = np.zeros_like(p)
    if plastic.any():
        e = eq[plastic]; p0 = p[plastic]; x = np.zeros_like(e)
        for _ in range(8):
            yy = Y0 + K * (p0 + x) ** 2; dy = 2 * K * (p0 + x)
            phi = x / (A * dt)
            f = e - 3 * G * x - yy * (1 + phi)
            h = 3 * G + dy * (1 + phi) + yy / (A * dt)
            x = x + f / h
        dl[plastic] = x
    scale = np.where(plastic, 1 - 3 * G * dl / np.maximum(eq, 1e-300), 1.0)
    stress = s * scale[:, None]
    stress[:, :3] += (KB * tr)[:, None]
    flow = np.where(plastic, 1.5 * dl / np.maximum(eq, 1e-300), 0.0)
    ep[:, :3] += flow[:, None] * s[:, :3]
    ep[:, 3:] += 2 * flow[:, None] * s[:, 3:]
    return stress, p + dl

def bench(n, repeats, strain):
    eps = np.zeros((n, 6)); ep = np.zeros((n, 6)); p = np.zeros(n)
    t0 = time.process_time()
    for r in range(repeats):
        eps[:, 0] = strain + (1e-5 * r if strain > 0.02 else 0)
        stress, p = update(eps, ep, p, 1.0)
    return (time.process_time() - t0) / (n * repeats) * 1e9

if __name__ == "__main__":
    n, repeats = int(sys.argv[1]), int(sys.argv[2])
    print(f"{bench(n, repeats, 0.005):.3f} {bench(n, repeats, 0.05):.3f}")
