// Batched stress + interface + strength update for many particle classes (structure of arrays).
// One Step per concentration sample; EndHalfCycle closes a charge or discharge and updates the strength.
using DigitalTwin.Physics.Mechanics.ChemicalStrain;
using DigitalTwin.Physics.Mechanics.Grains;
using DigitalTwin.Physics.Mechanics.Sphere;
using DigitalTwin.Physics.Mechanics.Strength;

namespace DigitalTwin.Physics.Mechanics.Particles;

public sealed class ParticleBatch
{
    private readonly ParticleClass[] _classes;
    private readonly int[] _nodeOffset;
    private readonly int[] _patchOffset;
    private readonly double[] _scratch;
    private readonly double[] _eigenstrain;
    private readonly StrengthState[] _strength;
    private readonly double[] _mismatchNode;

    public ParticleBatch(IReadOnlyList<ParticleClass> classes)
    {
        if (classes.Count == 0)
        {
            throw new MechanicsInputException("particle batch", ["no particle classes given"]);
        }

        var duplicates = classes.GroupBy(c => c.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"class id '{g.Key}' appears {g.Count()} times").ToList();
        if (duplicates.Count > 0)
        {
            throw new MechanicsInputException("particle batch", duplicates);
        }

        _classes = [.. classes];
        _nodeOffset = new int[_classes.Length + 1];
        _patchOffset = new int[_classes.Length + 1];
        var maxNodes = 0;
        for (var i = 0; i < _classes.Length; i++)
        {
            _nodeOffset[i + 1] = _nodeOffset[i] + _classes[i].Grid.Count;
            _patchOffset[i + 1] = _patchOffset[i] + (_classes[i].Interface?.PatchCount ?? 0);
            maxNodes = Math.Max(maxNodes, _classes[i].Grid.Count);
        }

        var nodes = _nodeOffset[^1];
        var n = _classes.Length;
        _scratch = new double[maxNodes];
        _eigenstrain = new double[maxNodes];
        Concentration = new double[nodes];
        RadialStress = new double[nodes];
        HoopStress = new double[nodes];
        VonMises = new double[nodes];
        Hydrostatic = new double[nodes];
        Displacement = new double[nodes];
        _mismatchNode = new double[nodes];
        Kappa = new double[_patchOffset[^1]];
        PatchGap = new double[_patchOffset[^1]];
        _strength = new StrengthState[n];
        SurfaceHoopStress = new double[n];
        MaximumVonMises = new double[n];
        MeanStoichiometry = new double[n];
        InterfaceTraction = new double[n];
        MeanGap = new double[n];
        MaximumGap = new double[n];
        InterfaceDamage = new double[n];
        ContactFraction = new double[n];
        DamagedFraction = new double[n];
        InterfaceResistance = new double[n];
        MismatchStress = new double[n];
        DrivingStress = new double[n];
        HalfCyclePeakDrivingStress = new double[n];
        Strength = new double[n];
        CrackLength = new double[n];
        for (var i = 0; i < n; i++)
        {
            var c = _classes[i];
            Strength[i] = c.StrengthLaw?.InitialStrength ?? double.NaN;
            CrackLength[i] = c.Cracking?.InitialLength ?? 0;
            ContactFraction[i] = c.Interface is null ? 0 : 1;
            InterfaceResistance[i] = c.Interface?.Resistance.BaseResistance ?? 0;
        }
    }

    public int ClassCount => _classes.Length;

    public IReadOnlyList<ParticleClass> Classes => _classes;

    /// <summary>Input: concentration at every node of every class [mol.m-3], classes back to back.</summary>
    public double[] Concentration { get; }

    /// <summary>σ_r [Pa] per node.</summary>
    public double[] RadialStress { get; }

    /// <summary>σ_θ [Pa] per node.</summary>
    public double[] HoopStress { get; }

    /// <summary>von Mises [Pa] per node.</summary>
    public double[] VonMises { get; }

    /// <summary>Hydrostatic stress [Pa] per node.</summary>
    public double[] Hydrostatic { get; }

    /// <summary>Radial displacement [m] per node.</summary>
    public double[] Displacement { get; }

    /// <summary>Interface history κ [m] per patch (state).</summary>
    public double[] Kappa { get; }

    /// <summary>Gap [m] per patch (negative = compressed contact).</summary>
    public double[] PatchGap { get; }

    /// <summary>σ_θ(R) [Pa] per class.</summary>
    public double[] SurfaceHoopStress { get; }

    /// <summary>max_r von Mises [Pa] per class.</summary>
    public double[] MaximumVonMises { get; }

    /// <summary>Volume-averaged c/c_max [-] per class.</summary>
    public double[] MeanStoichiometry { get; }

    /// <summary>Area-mean radial interface traction on the particle [Pa] (tensile positive).</summary>
    public double[] InterfaceTraction { get; }

    /// <summary>Area-mean gap D_G,ave [m].</summary>
    public double[] MeanGap { get; }

    /// <summary>D_G,max [m].</summary>
    public double[] MaximumGap { get; }

    /// <summary>Area-mean interface damage [-].</summary>
    public double[] InterfaceDamage { get; }

    /// <summary>Area fraction still bonded or in contact [-].</summary>
    public double[] ContactFraction { get; }

    /// <summary>Area fraction with damage &gt; 0 [-].</summary>
    public double[] DamagedFraction { get; }

    /// <summary>Effective R_int(D_G) [Ohm.m2] of the patches in parallel.</summary>
    public double[] InterfaceResistance { get; }

    /// <summary>max_r RMS grain mismatch von Mises stress [Pa].</summary>
    public double[] MismatchStress { get; }

    /// <summary>Driving stress of the last step [Pa]: max_r of the largest tensile principal stress plus the boundary normal mismatch.</summary>
    public double[] DrivingStress { get; }

    /// <summary>Peak driving stress of the running half cycle [Pa].</summary>
    public double[] HalfCyclePeakDrivingStress { get; }

    /// <summary>σ_T [Pa] per class (NaN without a strength law).</summary>
    public double[] Strength { get; }

    /// <summary>Paris crack length [m] (0 without crack growth).</summary>
    public double[] CrackLength { get; }

    /// <summary>Strength state per class.</summary>
    public ReadOnlySpan<StrengthState> StrengthStates => _strength;

    /// <summary>Index of a class by id; a class the cell does not have is named in the error.</summary>
    public int IndexOf(string id)
    {
        for (var i = 0; i < _classes.Length; i++)
        {
            if (string.Equals(_classes[i].Id, id, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new MechanicsInputException("particle batch",
            [$"particle class '{id}' is not in this cell (classes: {string.Join(", ", _classes.Select(c => c.Id))})"]);
    }

    /// <summary>Node range of class i within the node arrays.</summary>
    public Range Nodes(int classIndex) => _nodeOffset[classIndex].._nodeOffset[classIndex + 1];

    /// <summary>Patch range of class i within <see cref="Kappa"/>.</summary>
    public Range Patches(int classIndex) => _patchOffset[classIndex].._patchOffset[classIndex + 1];

    /// <summary>Checks every class's profile; lists every negative, non-finite or above-c_max node at once.</summary>
    public void ValidateConcentration()
    {
        List<string>? problems = null;
        for (var k = 0; k < _classes.Length; k++)
        {
            var cmax = _classes[k].Strain.MaximumConcentration;
            for (var j = _nodeOffset[k]; j < _nodeOffset[k + 1]; j++)
            {
                var c = Concentration[j];
                if (!(c >= 0 && c <= cmax))
                {
                    (problems ??= []).Add($"class '{_classes[k].Id}' node {j - _nodeOffset[k]}: concentration {c} mol.m-3 outside [0, {cmax}]");
                }
            }
        }

        if (problems is not null)
        {
            throw new MechanicsInputException("concentration profiles", problems);
        }
    }

    /// <summary>Advances every class over a step of dt [s] with the current concentrations.</summary>
    public void Step(double timeStep, double stackPressure)
    {
        ValidateConcentration();
        for (var k = 0; k < _classes.Length; k++)
        {
            StepClass(k, timeStep, stackPressure);
        }
    }

    /// <summary>Advances classes [from, to) without validation (the caller validated); safe to run in parallel on disjoint ranges.</summary>
    public void StepRange(int from, int to, double timeStep, double stackPressure, double[] eigenstrain, double[] scratch)
    {
        for (var k = from; k < to; k++)
        {
            StepClass(k, timeStep, stackPressure, eigenstrain, scratch);
        }
    }

    /// <summary>Restores a class's strength state (from a caller that keeps state between stateless calls).</summary>
    public void RestoreStrength(int classIndex, in StrengthState state, double halfCyclePeakDrivingStress, double crackLength)
    {
        _strength[classIndex] = state;
        HalfCyclePeakDrivingStress[classIndex] = halfCyclePeakDrivingStress;
        var c = _classes[classIndex];
        if (c.Cracking is not null && crackLength > 0)
        {
            CrackLength[classIndex] = crackLength;
        }

        if (c.StrengthLaw is { } law)
        {
            var strength = law.Strength(state, c.Environment);
            Strength[classIndex] = c.Cracking is { } crack ? Math.Min(strength, crack.CrackLimitedStrength(CrackLength[classIndex])) : strength;
        }
    }

    /// <summary>Closes the running half cycle of every class and updates its strength.</summary>
    public void EndHalfCycle()
    {
        for (var k = 0; k < _classes.Length; k++)
        {
            EndHalfCycle(k);
        }
    }

    public void EndHalfCycle(int classIndex)
    {
        var c = _classes[classIndex];
        if (c.StrengthLaw is { } law)
        {
            var strength = law.EndHalfCycle(ref _strength[classIndex], HalfCyclePeakDrivingStress[classIndex],
                MeanStoichiometry[classIndex], c.Environment);
            Strength[classIndex] = c.Cracking is { } crack ? Math.Min(strength, crack.CrackLimitedStrength(CrackLength[classIndex])) : strength;
        }

        HalfCyclePeakDrivingStress[classIndex] = 0;
    }

    private void StepClass(int k, double timeStep, double stackPressure) =>
        StepClass(k, timeStep, stackPressure, _eigenstrain, _scratch);

    private void StepClass(int k, double timeStep, double stackPressure, double[] eigenstrainBuffer, double[] scratchBuffer)
    {
        var cls = _classes[k];
        var grid = cls.Grid;
        var n = grid.Count;
        var o = _nodeOffset[k];
        var c = Concentration.AsSpan(o, n);
        var theta = eigenstrainBuffer.AsSpan(0, n);
        var strain = cls.Strain;
        var cmax = strain.MaximumConcentration;
        if (strain is PartialMolarVolumeStrain pmv)
        {
            var factor = pmv.PartialMolarVolume / 3;
            var reference = pmv.ReferenceConcentration;
            for (var i = 0; i < n; i++)
            {
                theta[i] = factor * (c[i] - reference);
            }
        }
        else if (strain is IAnisotropicChemicalStrain principal && cls.Mismatch is not null)
        {
            // One lookup per node gives the swelling and the grain mismatch driving stress together.
            var mismatch = cls.Mismatch;
            var mismatchMax = 0.0;
            var normal = _mismatchNode.AsSpan(o, n);
            for (var i = 0; i < n; i++)
            {
                principal.Evaluate(c[i], out var iso, out var ea, out var ec);
                theta[i] = iso;
                var nodeVm = mismatch.VonMises(ea, ec);
                mismatchMax = Math.Max(mismatchMax, nodeVm);
                normal[i] = nodeVm;
            }

            MismatchStress[k] = mismatchMax;
        }
        else
        {
            for (var i = 0; i < n; i++)
            {
                theta[i] = strain.Strain(c[i]);
            }
        }

        var scratch = scratchBuffer.AsSpan(0, n);
        var radius = grid.Radius;
        grid.CumulativeMoment(theta, scratch);
        var meanStrain = 3 * scratch[n - 1] / (radius * radius * radius);
        var surfaceTraction = 0.0;
        if (cls.Interface is { } face)
        {
            double da = 0, dc = 0;
            if (face.SurfaceGrainSize > 0 && strain is IAnisotropicChemicalStrain aniso)
            {
                var (ea, ec) = aniso.PrincipalStrains(c[n - 1]);
                da = ea - theta[n - 1];
                dc = ec - theta[n - 1];
            }

            var e = cls.Elasticity;
            var particleCompliance = (1 - 2 * e.PoissonsRatio) * radius / e.YoungsModulus;
            var p = _patchOffset[k];
            var count = face.PatchCount;
            var result = face.Solve(radius, particleCompliance, radius * meanStrain, da, dc, stackPressure,
                Kappa.AsSpan(p, count), PatchGap.AsSpan(p, count));
            surfaceTraction = result.MeanTraction;
            InterfaceTraction[k] = result.MeanTraction;
            MeanGap[k] = result.MeanGap;
            MaximumGap[k] = result.MaximumGap;
            InterfaceDamage[k] = result.MeanDamage;
            ContactFraction[k] = result.ContactFraction;
            DamagedFraction[k] = result.DamagedFraction;
            InterfaceResistance[k] = result.Resistance;
        }

        var output = new SphereStressOutput(RadialStress.AsSpan(o, n), HoopStress.AsSpan(o, n), VonMises.AsSpan(o, n),
            Hydrostatic.AsSpan(o, n), Displacement.AsSpan(o, n));
        SphereStress.Evaluate(grid, theta, cls.Elasticity.YoungsModulus, cls.Elasticity.PoissonsRatio, surfaceTraction, scratch, output);

        MeanStoichiometry[k] = grid.VolumeAverage(c) / cmax;

        var maxVm = 0.0;
        var driving = 0.0;
        var sr = output.RadialStress;
        var st = output.HoopStress;
        var vm = output.VonMises;
        var withMismatch = cls.Mismatch is not null && strain is IAnisotropicChemicalStrain;
        var mismatchNode = _mismatchNode.AsSpan(o, n);
        for (var i = 0; i < n; i++)
        {
            maxVm = Math.Max(maxVm, vm[i]);
            var tensile = Math.Max(Math.Max(sr[i], st[i]), 0);
            if (withMismatch)
            {
                tensile += GrainBoundaryMismatch.PlaneNormalFactor * mismatchNode[i];
            }

            driving = Math.Max(driving, tensile);
        }

        SurfaceHoopStress[k] = st[n - 1];
        MaximumVonMises[k] = maxVm;
        DrivingStress[k] = driving;
        HalfCyclePeakDrivingStress[k] = Math.Max(HalfCyclePeakDrivingStress[k], driving);
        if (cls.Cracking is { } crack)
        {
            CrackLength[k] = crack.Advance(CrackLength[k], st[n - 1], timeStep);
        }
    }
}
