# Peer for the `mechanics` bench suite: the same per-class update written the way a PyBaMM user would,
# vectorised over classes with numpy (cumulative trapezoid moments, closed-form sphere stresses,
# bilinear cohesive patches, strength bookkeeping). Prints ns per class update.
import sys, time
import numpy as np

def run(classes, nodes, patches, repeats):
    R = 5e-6; E = 1.4e11; nu = 0.25; beta = 4e-7
    r = np.linspace(0, R, nodes)
    c = 47100 - 3000 * (r / R) ** 2 * np.ones((classes, 1))
    kappa = np.zeros((classes, patches))
    sc, gc = 1e8, 1.0; k = 100 * sc * sc / (2 * gc); d0 = sc / k; df = 2 * gc / sc
    comp = R / (4 * 1.5e11 / 2.52) + (1 - 2 * nu) * R / E
    strength = np.full(classes, 220e6)
    t0 = time.process_time()
    for _ in range(repeats):
        theta = beta * (c - 47100) / 3
        integrand = theta * r ** 2
        moment = np.concatenate([np.zeros((classes, 1)), np.cumsum(0.5 * (integrand[:, 1:] + integrand[:, :-1]) * np.diff(r), axis=1)], axis=1)
        mean = moment[:, -1] / R ** 3
        q = np.empty_like(theta); q[:, 0] = theta[:, 0] / 3; q[:, 1:] = moment[:, 1:] / r[1:] ** 3
        g0 = (-R * 3 * mean)[:, None] + np.zeros((1, patches))
        kap = np.maximum(kappa, d0)
        dmg = np.clip(df * (kap - d0) / (kap * (df - d0)), 0, 1)
        g_el = g0 / (1 + comp * k * (1 - dmg))
        g_soft = (g0 - comp * sc * df / (df - d0)) / (1 - comp * sc / (df - d0))
        gap = np.where(g0 <= 0, g0 / (1 + comp * k), np.where(g_el <= kap, g_el, np.where(g_soft < df, g_soft, g0)))
        kappa = np.maximum(kap, gap)
        s = ((g0 - gap) / comp).mean(axis=1)
        e1 = E / (1 - nu)
        sr = 2 * e1 * (mean[:, None] - q) + s[:, None]
        st = e1 * (2 * mean[:, None] + q - theta) + s[:, None]
        vm = np.abs(st - sr)
        drive = np.maximum(np.maximum(sr, st), 0).max(axis=1)
        strength = strength * (1 - 1e-6 * drive / 1e9)
    elapsed = time.process_time() - t0
    return elapsed / (repeats * classes) * 1e9

if __name__ == "__main__":
    classes, nodes, patches, repeats = (int(a) for a in sys.argv[1:5])
    print(f"{run(classes, nodes, patches, repeats):.3f}")
