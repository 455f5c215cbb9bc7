// Adapts digitaltwin.mechanics.v1 to the particle-mechanics library: each batch item is built into a particle
// class from the named parameter set, its state restored, advanced, and returned; bad items carry diagnostics.
using System.Collections.Concurrent;
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Mechanics.V1;
using DigitalTwin.Physics.Mechanics;
using DigitalTwin.Physics.Mechanics.ChemicalStrain;
using BilinearCohesiveLaw = DigitalTwin.Physics.Mechanics.Interface.BilinearCohesiveLaw;
using InterfaceResistance = DigitalTwin.Physics.Mechanics.Interface.InterfaceResistance;
using MatrixShell = DigitalTwin.Physics.Mechanics.Interface.MatrixShell;
using ParticleInterface = DigitalTwin.Physics.Mechanics.Interface.ParticleInterface;
using DigitalTwin.Physics.Mechanics.ParameterSets;
using DigitalTwin.Physics.Mechanics.Particles;
using DigitalTwin.Physics.Mechanics.Sphere;
using DigitalTwin.Rpc;
using LibEnvironment = DigitalTwin.Physics.Mechanics.Strength.Environment;
using LibStrengthState = DigitalTwin.Physics.Mechanics.Strength.StrengthState;
using StrengthState = DigitalTwin.Contracts.Mechanics.V1.StrengthState;

namespace DigitalTwin.Services.Mechanics;

public sealed class MechanicsService : MechanicsServiceBase
{
    private readonly ConcurrentDictionary<string, MechanicsParameterSet> _sets = new(StringComparer.Ordinal);

    /// <summary>
    /// Class templates (elasticity, strain, strength and cracking laws; immutable) per set, electrode, environment and
    /// strain model: a seed-000 strength law integrates a reference charge to build, too costly to repeat per item.
    /// </summary>
    private readonly ConcurrentDictionary<(string Set, string Electrode, LibEnvironment Environment, bool VolumeCurve), ParticleClass> _templates = new();

    public override Task<ComputeStressResponse> ComputeStress(ComputeStressRequest request, ServerCallContext context)
    {
        var response = new ComputeStressResponse();
        foreach (var profile in request.Profiles)
        {
            var result = new ParticleStress { Particle = profile.Particle };
            if (Build(request.Settings, profile, withInterface: false, result.Diagnostics) is { } batch)
            {
                Fill(batch, profile, request.IncludeProfiles, result);
            }

            response.Results.Add(result);
        }

        return Task.FromResult(response);
    }

    public override Task<UpdateInterfaceResponse> UpdateInterface(UpdateInterfaceRequest request, ServerCallContext context)
    {
        var response = new UpdateInterfaceResponse();
        foreach (var item in request.Items)
        {
            var result = new InterfaceResult { Key = item.Key };
            if (Build(request.Settings, item.Profile, withInterface: true, result.Diagnostics) is { } batch)
            {
                RestoreInterface(batch, item.State);
                if (Step(batch, item.Profile, item.StackPressure, 0, result.Diagnostics))
                {
                    FillInterface(batch, result);
                }
            }

            response.Results.Add(result);
        }

        return Task.FromResult(response);
    }

    public override Task<UpdateStrengthResponse> UpdateStrength(UpdateStrengthRequest request, ServerCallContext context)
    {
        var response = new UpdateStrengthResponse();
        foreach (var item in request.Items)
        {
            var result = new StrengthResult { Key = item.Key };
            try
            {
                var set = Set(request.Settings);
                var electrode = set.Electrodes.FirstOrDefault(e => e.Seed000Strength)
                    ?? throw new MechanicsInputException(set.Name, [$"set '{set.Name}' has no strength law (try NMC811_seed003)"]);
                var cls = set.CreateClass(electrode.Electrode, nodes: 2, environment: Environment(request.Settings));
                var law = cls.StrengthLaw!;
                var state = ToLibrary(item.State);
                var x = item.HalfCycle == HalfCycle.Charge ? law.ChargedStoichiometry : law.DischargedStoichiometry;
                var strength = item.HalfCycle == HalfCycle.Unspecified
                    ? law.Strength(state, cls.Environment)
                    : law.EndHalfCycle(ref state, item.State?.PeakTensileStress ?? 0, x, cls.Environment);
                result.State = FromLibrary(state, strength, law.InitialStrength, item.State?.CrackLength ?? 0, 0, item.State?.Time ?? 0);
                result.StrengthRatio = (item.State?.PeakTensileStress ?? 0) / strength;
                result.Fractured = result.StrengthRatio > 1;
            }
            catch (MechanicsInputException ex)
            {
                AddProblems(result.Diagnostics, ex);
            }

            response.Results.Add(result);
        }

        return Task.FromResult(response);
    }

    public override Task<UpdateParticlesResponse> UpdateParticles(UpdateParticlesRequest request, ServerCallContext context)
    {
        var response = new UpdateParticlesResponse();
        foreach (var item in request.Items)
        {
            var result = new ParticleResult { Key = item.Key };
            var withInterface = WantsInterface(request.Settings);
            if (Build(request.Settings, item.Profile, withInterface, result.Diagnostics) is { } batch)
            {
                RestoreInterface(batch, item.State?.Interface);
                var previous = item.State?.Strength;
                batch.RestoreStrength(0, ToLibrary(previous), previous?.PeakTensileStress ?? 0, previous?.CrackLength ?? 0);
                var dt = previous is null ? 0 : Math.Max(item.Profile.Time - previous.Time, 0);
                if (Step(batch, item.Profile, item.StackPressure, dt, result.Diagnostics))
                {
                    result.Stress = new ParticleStress { Particle = item.Profile.Particle };
                    Fill(batch, item.Profile, request.IncludeProfiles, result.Stress, step: false);
                    result.Interface = new InterfaceResult { Key = item.Key };
                    FillInterface(batch, result.Interface);
                    var law = batch.Classes[0].StrengthLaw;
                    var peak = batch.HalfCyclePeakDrivingStress[0];
                    if (item.CompletedHalfCycle != HalfCycle.Unspecified)
                    {
                        batch.EndHalfCycle(0);
                        result.Strength = new StrengthResult
                        {
                            Key = item.Key,
                            State = State(batch, item.Profile.Time),
                            StrengthRatio = law is null ? 0 : peak / batch.Strength[0],
                            Fractured = law is not null && peak > batch.Strength[0],
                        };
                    }

                    result.State = new ParticleMechanicsState { Interface = result.Interface.State, Strength = State(batch, item.Profile.Time) };
                }
            }

            response.Results.Add(result);
        }

        return Task.FromResult(response);
    }

    public override Task<ComputeGrainMismatchResponse> ComputeGrainMismatch(ComputeGrainMismatchRequest request, ServerCallContext context)
    {
        try
        {
            var set = Set(request.Parameters);
            var e = set.Electrodes.FirstOrDefault(x => x.Strain is IAnisotropicChemicalStrain)
                ?? throw new MechanicsInputException(set.Name, [$"set '{set.Name}' has no anisotropic lattice strain (try NMC811_seed003 or NCM111_LLZO_seed001)"]);
            var strain = (IAnisotropicChemicalStrain)e.Strain;
            var grain = request.GrainSize > 0 ? request.GrainSize : e.Mismatch?.GrainSize ?? 5e-7;
            var mismatch = Physics.Mechanics.Grains.GrainBoundaryMismatch.Create(e.YoungsModulus, e.PoissonsRatio, grain,
                request.OrientationSpread > 0 ? request.OrientationSpread : Math.PI / 2, e.Mismatch?.BoundaryFractureEnergy ?? 0.07);
            var response = new ComputeGrainMismatchResponse
            {
                Model = "Eshelby grain in an effective medium of the orientation-averaged eigenstrain (uniform stress per grain, "
                    + "no relaxation, triple-junction peaks ignored; cone-uniform orientation spread); see docs/mechanics.md §4",
            };
            foreach (var x in request.LithiumFraction)
            {
                var (ea, ec) = strain.PrincipalStrains(Math.Clamp(x, 0, 1) * e.MaximumConcentration);
                response.StrainA.Add(ea);
                response.StrainC.Add(ec);
                response.VolumetricStrain.Add((1 + ea) * (1 + ea) * (1 + ec) - 1);
                response.MismatchStress.Add(mismatch.VonMises(ea, ec));
            }

            return Task.FromResult(response);
        }
        catch (MechanicsInputException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    private MechanicsParameterSet Set(MechanicsSettings? settings) => Set(settings?.Parameters);

    private MechanicsParameterSet Set(ParameterSetRef? reference)
    {
        if (reference is null || reference.SourceCase != ParameterSetRef.SourceOneofCase.Name)
        {
            throw new MechanicsInputException("settings.parameters",
                [$"name a catalog set ({string.Join(", ", MechanicsParameterSet.Available)}); inline BPX/JSON sets are not served by mechanics"]);
        }

        return _sets.GetOrAdd(reference.Name, MechanicsParameterSet.Load);
    }

    private static LibEnvironment Environment(MechanicsSettings? settings) =>
        settings?.Environment == ElectrolyteKind.Solid ? LibEnvironment.Solid : LibEnvironment.Liquid;

    private static bool WantsInterface(MechanicsSettings? settings) => settings?.Matrix?.Kind switch
    {
        MatrixKind.Shell or MatrixKind.Infinite => true,
        MatrixKind.Free => false,
        _ => settings?.Environment == ElectrolyteKind.Solid,
    };

    private ParticleBatch? Build(MechanicsSettings? settings, ParticleProfile? profile, bool withInterface, Google.Protobuf.Collections.RepeatedField<Diagnostic> diagnostics)
    {
        try
        {
            if (profile is null || profile.Radius.Count < 2 || profile.Radius.Count != profile.Concentration.Count)
            {
                throw new MechanicsInputException("profile", [$"profile needs ≥ 2 radial nodes with one concentration each (radius {profile?.Radius.Count ?? 0}, concentration {profile?.Concentration.Count ?? 0})"]);
            }

            var set = Set(settings);
            var electrode = profile.Particle?.Electrode switch
            {
                ElectrodeRole.Negative => "negative",
                ElectrodeRole.Positive => "positive",
                _ => throw new MechanicsInputException("profile.particle.electrode", ["electrode must be NEGATIVE or POSITIVE"]),
            };
            var volumeCurve = settings?.StrainModel == StrainModel.LatticeStrainCurve && set.Electrode(electrode).VolumeChangeStrain is not null;
            var template = _templates.GetOrAdd((set.Name, electrode, Environment(settings), volumeCurve),
                key => set.CreateClass(key.Electrode, nodes: 2, environment: key.Environment, useVolumeChangeCurve: key.VolumeCurve));
            var face = withInterface ? Interface(settings, set.Electrode(electrode)) : null;
            var grid = SphereGrid.FromNodes(profile.Radius);
            var cls = ParticleClass.Create($"{electrode}/{profile.Particle?.ClassId}", grid, template.Elasticity, template.Strain, face,
                template.Mismatch, template.StrengthLaw,
                settings?.StrengthLaw == StrengthLaw.Paris || template.StrengthLaw is null ? template.Cracking : null, template.Environment);
            return new ParticleBatch([cls]);
        }
        catch (MechanicsInputException ex)
        {
            AddProblems(diagnostics, ex);
            return null;
        }
    }

    private static ParticleInterface? Interface(MechanicsSettings? settings, ElectrodeMechanics e)
    {
        var m = settings?.Matrix;
        var c = settings?.CohesiveLaw;
        if ((m is null || m.YoungsModulus == 0) && (c is null || c.Strength == 0))
        {
            return e.Interface ?? throw new MechanicsInputException("settings.matrix", [$"the set's {e.Electrode} electrode has no matrix/interface: give settings.matrix and settings.cohesive_law"]);
        }

        var matrix = m is not null && m.YoungsModulus > 0
            ? MatrixShell.Create(m.YoungsModulus, m.PoissonRatio, m.Kind == MatrixKind.Shell ? m.OuterRadiusRatio : double.PositiveInfinity)
            : e.Interface?.Matrix ?? throw new MechanicsInputException("settings.matrix", ["matrix Young's modulus is required"]);
        var law = c is not null && c.Strength > 0
            ? BilinearCohesiveLaw.Create(c.Strength, c.FractureEnergy, c.InitialStiffness > 0 ? c.InitialStiffness : null)
            : e.Interface?.Law ?? throw new MechanicsInputException("settings.cohesive_law", ["cohesive strength and fracture energy are required"]);
        var resistance = e.Interface?.Resistance ?? InterfaceResistance.Create(1e-4, 1e-8, 1);
        return ParticleInterface.Create(law, matrix, resistance, e.Interface?.PatchCount ?? 1,
            e.Strain is IAnisotropicChemicalStrain ? e.Interface?.SurfaceGrainSize ?? 0 : 0);
    }

    private static void RestoreInterface(ParticleBatch batch, InterfaceState? state)
    {
        if (state is null || batch.Kappa.Length == 0)
        {
            return;
        }

        for (var i = 0; i < batch.Kappa.Length; i++)
        {
            batch.Kappa[i] = state.PatchMaxSeparation.Count == batch.Kappa.Length ? state.PatchMaxSeparation[i] : state.MaxEffectiveSeparation;
        }
    }

    private static bool Step(ParticleBatch batch, ParticleProfile profile, double? stackPressure, double dt, Google.Protobuf.Collections.RepeatedField<Diagnostic> diagnostics)
    {
        try
        {
            profile.Concentration.CopyTo(batch.Concentration, 0);
            batch.Step(dt, stackPressure ?? 0);
            return true;
        }
        catch (MechanicsInputException ex)
        {
            AddProblems(diagnostics, ex);
            return false;
        }
    }

    private static void Fill(ParticleBatch batch, ParticleProfile profile, bool include, ParticleStress result, bool step = true)
    {
        if (step && !Step(batch, profile, 0, 0, result.Diagnostics))
        {
            return;
        }

        var n = profile.Radius.Count;
        if (include)
        {
            result.Radius.AddRange(profile.Radius);
            result.RadialStress.AddRange(batch.RadialStress.Take(n));
            result.HoopStress.AddRange(batch.HoopStress.Take(n));
            result.VonMisesStress.AddRange(batch.VonMises.Take(n));
            result.HydrostaticStress.AddRange(batch.Hydrostatic.Take(n));
            result.RadialDisplacement.AddRange(batch.Displacement.Take(n));
        }

        result.SurfaceHoopStress = batch.SurfaceHoopStress[0];
        result.CenterRadialStress = batch.RadialStress[0];
        result.MaxVonMisesStress = batch.MaximumVonMises[0];
        result.MaxTensileStress = Enumerable.Range(0, n).Max(i => Math.Max(Math.Max(batch.RadialStress[i], batch.HoopStress[i]), 0));
        result.SurfaceDisplacement = batch.Displacement[n - 1];
    }

    private static void FillInterface(ParticleBatch batch, InterfaceResult result)
    {
        var face = batch.Classes[0].Interface;
        var law = face?.Law;
        var state = new InterfaceState { Damage = batch.InterfaceDamage[0] };
        if (face is not null && law is not null)
        {
            state.PatchMaxSeparation.AddRange(batch.Kappa);
            state.MaxEffectiveSeparation = batch.Kappa.Max();
            state.DissipatedEnergy = batch.Kappa.Select(law.DissipatedEnergy).Average();
        }

        result.State = state;
        result.NormalTraction = batch.InterfaceTraction[0];
        result.Gap = batch.MeanGap[0];
        result.ContactFraction = face is null ? 0 : batch.ContactFraction[0];
        result.InterfaceResistance = batch.InterfaceResistance[0];
    }

    private static StrengthState State(ParticleBatch batch, double time)
    {
        var s = batch.StrengthStates[0];
        var law = batch.Classes[0].StrengthLaw;
        return FromLibrary(s, batch.Strength[0], law?.InitialStrength ?? 0, batch.CrackLength[0], batch.HalfCyclePeakDrivingStress[0], time);
    }

    private static LibStrengthState ToLibrary(StrengthState? s) => s is null ? default : new LibStrengthState
    {
        FormationDamage = s.FormationDamage,
        CyclicDamage = s.CyclicDamage,
        PeakDrivingStress = s.MaxDrivingStress,
        Opening = s.Opening,
        HalfCycles = (int)s.HalfCycles,
    };

    private static StrengthState FromLibrary(in LibStrengthState s, double strength, double pristine, double crack, double peak, double time) => new()
    {
        Strength = double.IsNaN(strength) ? 0 : strength,
        PristineStrength = pristine,
        HalfCycles = (uint)s.HalfCycles,
        CrackLength = crack,
        PeakTensileStress = peak,
        FormationDamage = s.FormationDamage,
        CyclicDamage = s.CyclicDamage,
        MaxDrivingStress = s.PeakDrivingStress,
        Opening = s.Opening,
        Time = time,
    };

    private static void AddProblems(Google.Protobuf.Collections.RepeatedField<Diagnostic> diagnostics, MechanicsInputException ex)
    {
        foreach (var p in ex.Problems)
        {
            diagnostics.Add(new Diagnostic { Severity = Severity.Error, Code = "invalid_input", Message = p, Source = ex.Context });
        }
    }
}
