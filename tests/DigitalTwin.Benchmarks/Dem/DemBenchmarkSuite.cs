// `make bench` suite "dem": particle-steps/s on the peer deck's timing run (timing.in: the 375 MPa
// state of init_N5k, plates fixed, K = 10000 steps after 500 warm-up), ours vs LIGGGHTS serial and on
// 2 MPI ranks in the same run; plus 128^3 voxel transport, ours vs SciPy's CG on the same grid.
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DigitalTwin.Physics.Dem;
using DigitalTwin.Physics.Dem.Studies;
using DigitalTwin.Physics.Dem.Transport;
using DigitalTwin.Testing;

namespace DigitalTwin.Benchmarks.Dem;

public sealed partial class DemBenchmarkSuite : IBenchmarkSuite
{
    private const int K = 10_000;
    private const int Warm = 500;

    public string Name => "dem";

    public string Description => "DEM particle-steps/s on the LIGGGHTS deck's timing run (ours vs LIGGGHTS 1 and 2 ranks) and 128^3 voxel transport (ours vs SciPy CG)";

    public async Task<bool> RunAsync(BenchmarkContext context)
    {
        var o = context.Output;
        var dir = Path.Combine(context.ArtifactsDirectory, "dem");
        Directory.CreateDirectory(dir);
        var ok = true;
        var peer = Which("liggghts") is not null && Which("mpirun") is not null;
        if (!peer)
        {
            o.WriteLine("LIGGGHTS or mpirun not on PATH (build/apt-bench.txt installs liggghts and openmpi-bin): only our numbers are printed.");
            ok = false;
        }

        var deck = Path.Combine(dir, "liggghts");
        Directory.CreateDirectory(deck);
        foreach (var f in new[] { "compaction.in", "common_setup.in", "analysis.in", "timing.in", "init_N5k.data", "init_N5k.vars.in", "plate_init_N5k.stl", "init_N5k.csv", "init_N5k.meta" })
        {
            File.Copy(SharedData.BenchFile("liggghts", f), Path.Combine(deck, f), overwrite: true);
        }

        var outDir = Path.Combine(deck, "out_init_N5k");
        var state = Path.Combine(outDir, "state_U.data");
        var summary = Path.Combine(outDir, "summary_U.txt");
        double htop;
        // --quick: both codes start from our own 375 MPa state read as a data file (no contact history on
        // either side) instead of running the deck's 4-minute compaction for its binary restart.
        var fromData = context.Quick || !peer;
        if (!fromData)
        {
            if (!File.Exists(Path.Combine(outDir, "state_U.restart")) || !File.Exists(summary))
            {
                Directory.CreateDirectory(outDir);
                o.WriteLine("running the deck's compaction.in (stage U, 2 ranks) once to make state_U.restart; cached in " + outDir);
                await Exec("mpirun", "--allow-run-as-root -np 2 liggghts -in compaction.in -var prefix init_N5k -var doR 0 -log out_init_N5k/log.compaction", deck, context.CancellationToken);
            }

            htop = double.Parse(File.ReadAllLines(summary).First(l => l.StartsWith("top_plate_z_m", StringComparison.Ordinal)).Split('=')[1].Trim(), CultureInfo.InvariantCulture);
        }
        else
        {
            // pack with our own engine to get an equivalent 375 MPa state
            Directory.CreateDirectory(outDir);
            state = Path.Combine(outDir, "state_U_ours.data");
            using var reader = new StreamReader(Path.Combine(deck, "init_N5k.csv"));
            var packing = PackingCsv.Parse(reader, "init_N5k.csv");
            if (!File.Exists(state) || !File.Exists(state + ".htop"))
            {
                o.WriteLine("pressing init_N5k to 375 MPa with our engine (stage U of compaction.in) for the timing state; cached in " + outDir);
                var r = CompactionStudy.Run(packing, 150e-6, 1.617776168626e-04, new CompactionOptions { Release = false, IsostaticPressuresPa = [] });
                WriteData(state, r.Stages[0].Snapshot);
                await File.WriteAllTextAsync(state + ".htop", r.Stages[0].HeightM.ToString("R", CultureInfo.InvariantCulture), context.CancellationToken);
            }

            htop = double.Parse(await File.ReadAllTextAsync(state + ".htop", context.CancellationToken), CultureInfo.InvariantCulture);
        }

        var rows = new List<(string Case, double Rate)>();
        if (peer)
        {
            foreach (var ranks in new[] { 1, 2 })
            {
                var log = Path.Combine(outDir, $"timing_bench_np{ranks}.log");
                var deckFile = fromData ? "timing_data.in" : "timing.in";
                if (fromData)
                {
                    await File.WriteAllTextAsync(Path.Combine(deck, deckFile), TimingFromData, context.CancellationToken);
                }

                var args = $"-in {deckFile}{(fromData ? " -var state " + state : string.Empty)} -var prefix init_N5k -var Htop {htop.ToString("R", CultureInfo.InvariantCulture)} -var K {K} -log {log}";
                await (ranks == 1 ? Exec("liggghts", args, deck, context.CancellationToken) : Exec("mpirun", "--allow-run-as-root -np 2 liggghts " + args, deck, context.CancellationToken));
                var m = LoopTime().Matches(File.ReadAllText(log)).Last(x => x.Groups[2].Value == K.ToString(CultureInfo.InvariantCulture));
                var seconds = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                rows.Add(($"LIGGGHTS 3.8.0, {ranks} MPI rank{(ranks > 1 ? "s" : "")}", 5286.0 * K / seconds));
            }
        }

        foreach (var threads in new[] { 1, 2 })
        {
            rows.Add(($"DigitalTwin.Physics.Dem, {threads} thread{(threads > 1 ? "s" : "")}", Ours(state, htop, threads)));
        }

        o.WriteLine();
        o.WriteLine(fromData ? "State: our own stage-U packing read as a data file by both codes (no contact history)" : "State: the deck's state_U.restart (LIGGGHTS, with history) and state_U.data (ours)");
        o.WriteLine($"Timing run: init_N5k at 375 MPa (N = 5286), plates fixed at 0 and {htop * 1e6:F3} um, K = {K} steps after {Warm} warm-up, dt = 2e-10 s");
        o.WriteLine($"{"case",-40} {"particle-steps/s",18} {"vs LIGGGHTS 1 rank",20} {"vs LIGGGHTS 2 ranks",20}");
        var l1 = rows.FirstOrDefault(r => r.Case.Contains("1 MPI", StringComparison.Ordinal)).Rate;
        var l2 = rows.FirstOrDefault(r => r.Case.Contains("2 MPI", StringComparison.Ordinal)).Rate;
        foreach (var (c, rate) in rows)
        {
            o.WriteLine($"{c,-40} {rate,18:E3} {(l1 > 0 ? (rate / l1).ToString("F2", CultureInfo.InvariantCulture) : "-"),20} {(l2 > 0 ? (rate / l2).ToString("F2", CultureInfo.InvariantCulture) : "-"),20}");
        }

        ok &= await Transport(o, dir, state, htop, context.CancellationToken);
        return ok;
    }

    /// <summary>timing.in with read_data instead of read_restart (same contact law, plates, dt, skin, K).</summary>
    private const string TimingFromData = """
        # timing.in of the peer deck, starting from a data file (no contact history) instead of the binary restart
        variable prefix  index init_N5k
        variable state   index NONE
        variable Htop    index NONE
        variable K       index 10000
        variable Kwarm   index 500
        variable dt      index 2.0e-10
        variable skin    index 0.5e-6
        include ${prefix}.vars.in
        units           si
        hard_particles  yes
        atom_style      granular
        atom_modify     map array
        boundary        p p f
        newton          off
        communicate     single vel yes
        processors      * * 1
        read_data       ${state}
        neighbor        ${skin} bin
        neigh_modify    delay 0
        include common_setup.in
        fix bot all mesh/surface/stress file plate_${prefix}.stl type 3
        fix top all mesh/surface/stress file plate_${prefix}.stl type 3 move 0.0 0.0 ${Htop}
        fix walls all wall/gran model hertz tangential history mesh n_meshes 2 meshes top bot &
            tangential_damping on limitForce on
        fix integr all nve/sphere
        variable A    equal ${L}*${L}
        variable Ptop equal f_top[3]/${A}
        variable Pbot equal -f_bot[3]/${A}
        compute ke all ke
        thermo_style custom step atoms c_ke v_Ptop v_Pbot cpu
        thermo_modify norm no lost error
        thermo 500
        run ${Kwarm}
        run ${K}

        """;

    private static double Ours(string state, double htop, int threads)
    {
        var (input, lo, hi) = LammpsData.Read(state);
        var p = CompositeParameters.Default;
        var walls = new[] { new PlaneWall("bottom", 2, 1, 0, CompositeParameters.Wall), new PlaneWall("top", 2, -1, htop, CompositeParameters.Wall) };
        var box = new DemBox([lo[0], lo[1], Math.Min(lo[2], input.Z.Min() - 1e-6)], [hi[0], hi[1], Math.Max(hi[2], input.Z.Max() + 1e-6)], [true, true, false]);
        using var s = new DemSystem(p.CreateMaterials(), box, input, walls,
            new DemSettings { TimeStep = p.TimeStepS, Skin = p.SkinM, Threads = threads, InitialOverlapTolerance = double.PositiveInfinity });
        s.Run(Warm);
        var sw = Stopwatch.StartNew();
        s.Run(K);
        return s.ParticleCount * (double)K / sw.Elapsed.TotalSeconds;
    }

    private static async Task<bool> Transport(TextWriter o, string dir, string state, double htop, CancellationToken ct)
    {
        var (input, lo, hi) = LammpsData.Read(state);
        const int n = 128;
        var phase = input.Type.Select(t => t == CompositeParameters.Am ? VoxelGrid.Am : VoxelGrid.Se).ToArray();
        var g = VoxelGrid.FromSpheres(input.X, input.Y, input.Z, input.Radius, phase, [lo[0], lo[1], 0], [hi[0], hi[1], htop], [true, true, false], 0, [n, n, n]);
        var sw = Stopwatch.StartNew();
        var am = ConductionSolver.Solve(g, VoxelGrid.Am, 1e-8, ct: ct);
        var tAm = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var se = ConductionSolver.Solve(g, VoxelGrid.Se, 1e-8, ct: ct);
        var tSe = sw.Elapsed.TotalSeconds;
        o.WriteLine();
        o.WriteLine($"Voxel transport, 128^3 grid of the same 375 MPa packing (Jacobi PCG, rel. residual 1e-8)");
        o.WriteLine($"{"case",-40} {"seconds",10} {"iterations",12} {"ratio",10} {"vs SciPy",10}");
        var py = Which("/usr/bin/python3") is not null ? "/usr/bin/python3" : null;
        double[] peer = [double.NaN, double.NaN];
        double[] peerRatio = [double.NaN, double.NaN];
        if (py is not null)
        {
            var raw = Path.Combine(dir, "phase128.u8");
            await File.WriteAllBytesAsync(raw, g.Phase, ct);
            var script = Path.Combine(dir, "scipy_cg.py");
            await File.WriteAllTextAsync(script, ScipyScript, ct);
            var text = await Exec(py, $"{script} {raw} {n}", dir, ct, throwOnError: false);
            foreach (Match m in Regex.Matches(text, @"phase (\d) seconds ([0-9.eE+-]+) ratio ([0-9.eE+-]+)"))
            {
                var k = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - 1;
                peer[k] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                peerRatio[k] = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            }
        }

        o.WriteLine($"{"ours, AM conduction",-40} {tAm,10:F2} {am.Iterations,12} {am.EffectiveRatio,10:F4} {(peer[0] / tAm),10:F2}");
        o.WriteLine($"{"ours, SE diffusion",-40} {tSe,10:F2} {se.Iterations,12} {se.EffectiveRatio,10:F4} {(peer[1] / tSe),10:F2}");
        o.WriteLine($"{"SciPy cg + Jacobi, AM conduction",-40} {peer[0],10:F2} {"",12} {peerRatio[0],10:F4} {1.0,10:F2}");
        o.WriteLine($"{"SciPy cg + Jacobi, SE diffusion",-40} {peer[1],10:F2} {"",12} {peerRatio[1],10:F4} {1.0,10:F2}");
        return !double.IsNaN(peer[0]);
    }

    private const string ScipyScript = """
        # Peer for the dem bench: the same 7-point finite-volume operator on the same voxel phases, SciPy CG + Jacobi.
        import sys, time
        import numpy as np
        import scipy.sparse as sp
        import scipy.sparse.linalg as la
        n = int(sys.argv[2])
        ph = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(n, n, n)   # [z, y, x]
        def solve(phase):
            m = ph == phase
            idx = -np.ones(m.shape, dtype=np.int64); idx[m] = np.arange(m.sum())
            rows, cols = [], []
            diag = np.zeros(m.sum())
            for ax, per in ((2, True), (1, True), (0, False)):
                for sh in (1, -1):
                    nb = np.roll(idx, sh, axis=ax); ok = m & (nb >= 0)
                    if not per:
                        edge = np.zeros(m.shape, bool); sl = [slice(None)] * 3; sl[ax] = 0 if sh == 1 else -1; edge[tuple(sl)] = True; ok &= ~edge
                    rows.append(idx[ok]); cols.append(nb[ok]); np.add.at(diag, idx[ok], 1.0)
            b = np.zeros(m.sum()); bot = idx[0][m[0]]; top = idx[-1][m[-1]]
            diag[bot] += 2; diag[top] += 2; b[top] = 2
            r = np.concatenate(rows); c = np.concatenate(cols)
            A = sp.csr_matrix((np.concatenate([-np.ones(len(r)), diag]), (np.concatenate([r, np.arange(len(diag))]), np.concatenate([c, np.arange(len(diag))]))))
            M = sp.diags(1.0 / diag)
            t = time.time()
            try:
                x, info = la.cg(A, b, rtol=1e-8, M=M, maxiter=20000)
            except TypeError:
                x, info = la.cg(A, b, tol=1e-8, M=M, maxiter=20000)
            dt = time.time() - t
            return dt, 2 * x[bot].sum() * n / (n * n)
        for k, phase in ((1, 1), (2, 2)):
            dt, ratio = solve(phase)
            print("phase %d seconds %.4f ratio %.6f" % (k, dt, ratio), flush=True)
        """;

    private static void WriteData(string path, ParticleSnapshot s)
    {
        var w = new List<string> { "LIGGGHTS data file written by the dem bench", "", $"{s.Id.Length} atoms", "3 atom types", "" };
        w.Add(string.Create(CultureInfo.InvariantCulture, $"{s.BoxLo[0]:R} {s.BoxHi[0]:R} xlo xhi"));
        w.Add(string.Create(CultureInfo.InvariantCulture, $"{s.BoxLo[1]:R} {s.BoxHi[1]:R} ylo yhi"));
        w.Add(string.Create(CultureInfo.InvariantCulture, $"{s.BoxLo[2] - 2e-6:R} {s.BoxHi[2] + 2e-6:R} zlo zhi"));
        w.Add("");
        w.Add("Atoms");
        w.Add("");
        for (var i = 0; i < s.Id.Length; i++)
        {
            var rho = s.Type[i] == CompositeParameters.Am ? 4750.0 : 1640.0;
            w.Add(string.Create(CultureInfo.InvariantCulture, $"{s.Id[i]} {s.Type[i] + 1} {2 * s.Radius[i]:R} {rho:R} {s.X[i]:R} {s.Y[i]:R} {s.Z[i]:R}"));
        }

        if (s.Velocity is { } v)
        {
            w.AddRange(["", "Velocities", ""]);
            for (var i = 0; i < s.Id.Length; i++)
            {
                w.Add(string.Create(CultureInfo.InvariantCulture, $"{s.Id[i]} {v[3 * i]:R} {v[3 * i + 1]:R} {v[3 * i + 2]:R} 0 0 0"));
            }
        }

        File.WriteAllLines(path, w);
    }

    private static string? Which(string exe)
    {
        if (Path.IsPathRooted(exe))
        {
            return File.Exists(exe) ? exe : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, exe)).FirstOrDefault(File.Exists);
    }

    private static async Task<string> Exec(string exe, string args, string cwd, CancellationToken ct, bool throwOnError = true)
    {
        var psi = new ProcessStartInfo(exe, args) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0 && throwOnError)
        {
            throw new InvalidOperationException($"{exe} {args} exited with {p.ExitCode}: {await stderr}");
        }

        return await stdout + await stderr;
    }

    [GeneratedRegex(@"Loop time of ([0-9.eE+-]+) on \d+ procs for (\d+) steps")]
    private static partial Regex LoopTime();
}
