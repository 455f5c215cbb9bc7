// `twin mechanics stress|interface|strength`: particle mechanics from radial concentration profiles (issue 4),
// calling the physics library directly.
using System.CommandLine;
using System.Globalization;
using DigitalTwin.Physics.Mechanics;
using DigitalTwin.Physics.Mechanics.ParameterSets;
using DigitalTwin.Physics.Mechanics.Particles;
using DigitalTwin.Physics.Mechanics.Sphere;
using DigitalTwin.Physics.Mechanics.Strength;
using Environment = DigitalTwin.Physics.Mechanics.Strength.Environment;

namespace DigitalTwin.Cli.Commands.Mechanics;

public sealed class MechanicsCommands : ICommandModule
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public IEnumerable<Command> CreateCommands()
    {
        var mechanics = new Command("mechanics", "Particle mechanics: diffusion-induced stress, cohesive interface, fracture strength.");
        mechanics.Subcommands.Add(StressCommand());
        mechanics.Subcommands.Add(InterfaceCommand());
        mechanics.Subcommands.Add(StrengthCommand());
        yield return mechanics;
    }

    private static Option<string> ParamsOption() => new("--params") { Description = $"Mechanics parameter set ({string.Join(", ", MechanicsParameterSet.Available)})", Required = true };

    private static Option<string> ElectrodeOption() => new("--electrode") { Description = "negative or positive", DefaultValueFactory = _ => "positive" };

    private static Option<FileInfo> ProfileOption() => new("--profile") { Description = "CSV with r_m, c_mol_m3 and optionally time_s (one row per node and time)", Required = true };

    private static Option<FileInfo?> OutOption() => new("--out") { Description = "Write per-node (stress) or per-time (interface) results to this CSV" };

    private static Command StressCommand()
    {
        var set = ParamsOption();
        var electrode = ElectrodeOption();
        var profile = ProfileOption();
        var output = OutOption();
        var command = new Command("stress", "Radial, hoop, von Mises and hydrostatic stress and displacement of a free particle from its profile(s).")
        {
            set, electrode, profile, output,
        };
        command.SetAction(parse => Run(() =>
        {
            var (batch, profiles) = Prepare(parse.GetValue(set)!, parse.GetValue(electrode)!, parse.GetValue(profile)!, withInterface: false);
            using var writer = Writer(parse.GetValue(output));
            writer?.WriteLine("time_s,r_m,c_mol_m3,sigma_r_Pa,sigma_theta_Pa,von_mises_Pa,hydrostatic_Pa,u_m");
            var e = batch.Classes[0].Elasticity.YoungsModulus;
            Console.WriteLine("time_s,surface_hoop_Pa,surface_hoop_over_E,max_von_mises_Pa,surface_u_m");
            for (var t = 0; t < profiles.Times.Length; t++)
            {
                profiles.Concentrations[t].CopyTo(batch.Concentration, 0);
                batch.Step(0, 0);
                var n = profiles.Nodes.Length;
                for (var i = 0; i < n; i++)
                {
                    writer?.WriteLine(string.Join(',', new[] { profiles.Times[t], profiles.Nodes[i], batch.Concentration[i], batch.RadialStress[i], batch.HoopStress[i], batch.VonMises[i], batch.Hydrostatic[i], batch.Displacement[i] }.Select(v => v.ToString("R", Inv))));
                }

                Console.WriteLine(string.Create(Inv, $"{profiles.Times[t]},{batch.SurfaceHoopStress[0]:E6},{batch.SurfaceHoopStress[0] / e:E6},{batch.MaximumVonMises[0]:E6},{batch.Displacement[n - 1]:E6}"));
            }
        }));
        return command;
    }

    private static Command InterfaceCommand()
    {
        var set = ParamsOption();
        var electrode = ElectrodeOption();
        var profile = ProfileOption();
        var output = OutOption();
        var pressure = new Option<double>("--stack-pressure") { Description = "Stack pressure on the matrix [Pa]", DefaultValueFactory = _ => 0 };
        var command = new Command("interface", "Cohesive particle/matrix interface over a profile history: gap, traction, damage, contact fraction, R_int.")
        {
            set, electrode, profile, pressure, output,
        };
        command.SetAction(parse => Run(() =>
        {
            var (batch, profiles) = Prepare(parse.GetValue(set)!, parse.GetValue(electrode)!, parse.GetValue(profile)!, withInterface: true);
            using var writer = Writer(parse.GetValue(output));
            const string header = "time_s,traction_Pa,mean_gap_m,max_gap_m,damage,contact_fraction,R_int_Ohm_m2,surface_hoop_Pa";
            Console.WriteLine(header);
            writer?.WriteLine(header);
            var previous = profiles.Times[0];
            for (var t = 0; t < profiles.Times.Length; t++)
            {
                profiles.Concentrations[t].CopyTo(batch.Concentration, 0);
                batch.Step(profiles.Times[t] - previous, parse.GetValue(pressure));
                previous = profiles.Times[t];
                var line = string.Create(Inv, $"{profiles.Times[t]},{batch.InterfaceTraction[0]:E6},{batch.MeanGap[0]:E6},{batch.MaximumGap[0]:E6},{batch.InterfaceDamage[0]:F4},{batch.ContactFraction[0]:F4},{batch.InterfaceResistance[0]:E6},{batch.SurfaceHoopStress[0]:E6}");
                Console.WriteLine(line);
                writer?.WriteLine(line);
            }
        }));
        return command;
    }

    private static Command StrengthCommand()
    {
        var force = new Option<double?>("--force") { Description = "Crush-test fracture force F_c [N] (Hiramatsu–Oka)" };
        var diameter = new Option<double?>("--diameter") { Description = "Particle diameter [m] (Hiramatsu–Oka)" };
        var environment = new Option<string>("--environment") { Description = "liquid or solid (strength history)", DefaultValueFactory = _ => "liquid" };
        var cycles = new Option<int>("--cycles") { Description = "Reference C/3 cycles for the strength history", DefaultValueFactory = _ => 10 };
        var command = new Command("strength", "Hiramatsu–Oka strength from a crush test, or the seed-000 strength history over reference cycles.")
        {
            force, diameter, environment, cycles,
        };
        command.SetAction(parse => Run(() =>
        {
            if (parse.GetValue(force) is { } f)
            {
                var d = parse.GetValue(diameter) ?? throw new MechanicsInputException("twin mechanics strength", ["--diameter is required with --force"]);
                var sigma = HiramatsuOka.TensileStrength(f, d / 2);
                Console.WriteLine(string.Create(Inv, $"sigma_T = {sigma / 1e6:F1} MPa (0.7 F_c / (pi R^2), F_c = {f} N, R = {d / 2} m)"));
                return;
            }

            var env = parse.GetValue(environment) switch
            {
                "liquid" => Environment.Liquid,
                "solid" => Environment.Solid,
                var other => throw new MechanicsInputException("twin mechanics strength", [$"--environment '{other}' must be liquid or solid"]),
            };
            var law = ParticleStrengthLaw.Seed000(1);
            var state = default(StrengthState);
            Console.WriteLine("half_cycle,end_state,strength_MPa");
            Console.WriteLine(string.Create(Inv, $"0,pristine,{law.Strength(state, env) / 1e6:F1}"));
            for (var h = 1; h <= 2 * parse.GetValue(cycles); h++)
            {
                var charged = h % 2 == 1;
                var s = law.EndHalfCycle(ref state, 1, charged ? law.ChargedStoichiometry : law.DischargedStoichiometry, env);
                Console.WriteLine(string.Create(Inv, $"{h},{(charged ? "charged" : "discharged")},{s / 1e6:F1}"));
            }
        }));
        return command;
    }

    private static (ParticleBatch Batch, RadialProfiles Profiles) Prepare(string setName, string electrode, FileInfo profile, bool withInterface)
    {
        var set = MechanicsParameterSet.Load(setName);
        var e = set.Electrode(electrode);
        var profiles = ProfileCsv.Read(profile.FullName);
        if (withInterface && e.Interface is null)
        {
            throw new MechanicsInputException(setName, [$"set '{setName}' {electrode} electrode has no interface/matrix block (try NCM111_LLZO_seed001)"]);
        }

        var template = set.CreateClass(electrode, nodes: 2);
        var grid = SphereGrid.FromNodes(profiles.Nodes);
        var cls = ParticleClass.Create(template.Id, grid, template.Elasticity, template.Strain, withInterface ? template.Interface : null,
            template.Mismatch, template.StrengthLaw, template.Cracking, template.Environment);
        return (new ParticleBatch([cls]), profiles);
    }

    private static StreamWriter? Writer(FileInfo? file) => file is null ? null : new StreamWriter(file.FullName);

    private static int Run(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception ex) when (ex is MechanicsInputException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }
}
