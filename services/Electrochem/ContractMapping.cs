// Translation between the Electrochem contract and the physics library: parameter references and overrides,
// options and submodel names, initial conditions, experiments and drive cycles, and the opaque model state.
// Contract currents are positive when CHARGING; the library's are positive when discharging, so they are negated here.
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Physics.Electrochem.Experiments;
using Quantity = DigitalTwin.Physics.Electrochem.Experiments.Quantity;
using DigitalTwin.Physics.Electrochem.Models;
using DigitalTwin.Physics.Electrochem.Parameters;
using DigitalTwin.Rpc;
using Google.Protobuf;
using Contract = DigitalTwin.Contracts.Electrochem.V1;

namespace DigitalTwin.Services.Electrochem;

/// <summary>A parameter set as the request gave it: the set, its id for states ("name@version" or "sha256:..."), and how to rebuild it.</summary>
internal sealed record ResolvedSet(ParameterSet Set, string Id, string Kind, byte[]? Inline, IReadOnlyList<(string Name, double Value)> Overrides);

/// <summary>What a model state carries besides the concentrations, so any replica can rebuild the model.</summary>
internal sealed record StateHeader(string Kind, string Name, string? Inline, List<string[]> Overrides, ModelOptionsDto Options);

internal sealed record ModelOptionsDto(int Model, int N, int S, int P, int R, double Rtol, double Temperature, string Transport,
    string Kinetics, string ExchangeCurrent, string Counter, string Lithium, int NegClasses, int PosClasses, double Spread,
    string? Thermal = null, string? StressInducedDiffusion = null, SizeClass[]? NegativeSizes = null, SizeClass[]? PositiveSizes = null);

internal static class ContractMapping
{
    public const string Version = "1";
    public const uint SchemaVersion = 1;

    // NaN (temperature not given) must survive the round trip.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    /// <summary>The set a reference names, with its overrides and then <paramref name="extra"/> (from a cell design) applied.</summary>
    public static ResolvedSet ResolveSet(ParameterSetRef? reference, IReadOnlyList<(string Name, double Value)>? extra = null)
    {
        if (reference is null || reference.SourceCase == ParameterSetRef.SourceOneofCase.None)
        {
            throw Invalid($"parameters: give a catalog name ({string.Join(", ", ParameterSets.Names)}), a BPX document or a parameter-set JSON.");
        }

        ParameterSet set;
        string id;
        string kind;
        byte[]? inline = null;
        switch (reference.SourceCase)
        {
            case ParameterSetRef.SourceOneofCase.Name:
                if (!ParameterSets.Exists(reference.Name))
                {
                    throw Invalid($"parameters.name: unknown set '{reference.Name}'; known: {string.Join(", ", ParameterSets.Names)}.");
                }

                if (reference.Version.Length > 0 && reference.Version != Version)
                {
                    throw Invalid($"parameters.version: set {reference.Name} has only version {Version}.");
                }

                set = ParameterSets.Get(reference.Name);
                id = $"{set.Name}@{Version}";
                kind = "name";
                break;
            case ParameterSetRef.SourceOneofCase.BpxJson:
                inline = reference.BpxJson.ToByteArray();
                set = BpxImporter.Import(Encoding.UTF8.GetString(inline), "bpx_json");
                id = $"sha256:{Convert.ToHexStringLower(SHA256.HashData(inline))}";
                kind = "bpx";
                break;
            default:
                inline = reference.ParameterSetJson.ToByteArray();
                set = ParameterSet.FromJson(Encoding.UTF8.GetString(inline), "parameter_set_json", ParameterSets.Get);
                id = $"sha256:{Convert.ToHexStringLower(SHA256.HashData(inline))}";
                kind = "json";
                break;
        }

        var overrides = reference.Overrides.Select(o => (o.Name, o.Value, o.Unit)).ToList();
        overrides.AddRange((extra ?? []).Select(o => (o.Name, o.Value, "")));
        return ApplyOverrides(new ResolvedSet(set, id, kind, inline, []), overrides);
    }

    private static ResolvedSet ApplyOverrides(ResolvedSet resolved, IReadOnlyList<(string Name, double Value, string Unit)> overrides)
    {
        if (overrides.Count == 0)
        {
            return resolved;
        }

        var problems = new List<string>();
        foreach (var (name, _, unit) in overrides)
        {
            if (!resolved.Set.Contains(name))
            {
                problems.Add($"overrides: '{name}' is not a parameter of {resolved.Set.Name}");
                continue;
            }

            var open = name.LastIndexOf('[');
            var expected = open >= 0 ? name[(open + 1)..].TrimEnd(']') : "";
            if (unit.Length > 0 && unit != expected && !(expected.Length == 0 && unit == "dimensionless"))
            {
                problems.Add($"overrides: '{name}' is in [{(expected.Length == 0 ? "dimensionless" : expected)}], not [{unit}]");
            }
        }

        if (problems.Count > 0)
        {
            throw new ParameterSetException(resolved.Set.Name, problems);
        }

        var list = overrides.Select(o => (o.Name, o.Value)).ToList();
        var set = resolved.Set.With(resolved.Set.Name, list.ToDictionary(o => o.Name, o => (object)o.Value), "request override");
        var suffix = string.Join(";", list.Select(o => $"{o.Name}={o.Value:R}"));
        return resolved with { Set = set, Id = $"{resolved.Id}+{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(suffix)))[..16]}", Overrides = list };
    }

    public static ModelKind ToKind(Contract.ModelKind kind) => kind switch
    {
        Contract.ModelKind.Spm => ModelKind.Spm,
        Contract.ModelKind.Spme => ModelKind.Spme,
        Contract.ModelKind.Dfn => ModelKind.Dfn,
        _ => throw Invalid("model: choose MODEL_KIND_SPM, MODEL_KIND_SPME or MODEL_KIND_DFN."),
    };

    public static Contract.ModelKind ToContract(ModelKind kind) => kind switch
    {
        ModelKind.Spm => Contract.ModelKind.Spm,
        ModelKind.Spme => Contract.ModelKind.Spme,
        _ => Contract.ModelKind.Dfn,
    };

    private static string Normal(string s) => new([.. s.ToLowerInvariant().Where(char.IsLetterOrDigit)]);

    /// <summary>
    /// Set and options of a request: the parameter reference (or the design's), the options, and the cell design
    /// mapped onto both. Every problem of the three is reported at once as INVALID_ARGUMENT naming its field.
    /// </summary>
    public static (ResolvedSet Set, ModelOptions Options, DesignChanges? Design) Resolve(ParameterSetRef? parameters, Contract.ModelKind model,
        Contract.ModelOptions? o, double? temperature)
    {
        var kind = ToKind(model);
        var problems = new List<string>();
        var design = o?.Design;
        var reference = parameters;
        if (design?.Parameters is { SourceCase: not ParameterSetRef.SourceOneofCase.None } fromDesign)
        {
            if (reference is null || reference.SourceCase == ParameterSetRef.SourceOneofCase.None)
            {
                reference = fromDesign;
            }
            else if (!reference.Equals(fromDesign))
            {
                problems.Add("options.design.parameters differs from parameters: name the set once (in either field), or the same set in both");
            }
        }

        var set = ResolveSet(reference);
        var changes = design is null ? null : DesignMapping.Map(design, set.Set, problems);
        var options = ToOptions(kind, o, temperature, problems);
        if (changes is not null)
        {
            foreach (var clash in changes.Overrides.Where(c => set.Overrides.Any(r => r.Name == c.Name)))
            {
                problems.Add($"options.design sets '{clash.Name}', which parameters.overrides also sets; give it once");
            }

            options = options with
            {
                NegativeSizes = changes.NegativeSizes,
                PositiveSizes = changes.PositiveSizes,
                CounterElectrode = changes.CounterElectrode ?? options.CounterElectrode,
            };
            problems.AddRange(OptionTable.Validate(options).Select(p =>
                p.StartsWith("negative size", StringComparison.Ordinal) ? $"options.design.negative.particle_classes: {p}"
                : p.StartsWith("positive size", StringComparison.Ordinal) ? $"options.design.positive.particle_classes: {p}" : p));
        }

        if (problems.Count > 0)
        {
            throw Invalid(string.Join("; ", problems.Distinct()));
        }

        if (changes is { Overrides.Count: > 0 })
        {
            set = ResolveSet(reference, changes.Overrides);
        }

        return (set, options, changes);
    }

    private static ModelOptions ToOptions(ModelKind kind, Contract.ModelOptions? o, double? temperature, List<string> problems)
    {
        var options = new ModelOptions { Model = kind, Temperature = temperature ?? double.NaN };
        if (o is null)
        {
            return options;
        }

        options = options with
        {
            PointsNegative = o.HasNegativeElectrodePoints ? (int)o.NegativeElectrodePoints : options.PointsNegative,
            PointsSeparator = o.HasSeparatorPoints ? (int)o.SeparatorPoints : options.PointsSeparator,
            PointsPositive = o.HasPositiveElectrodePoints ? (int)o.PositiveElectrodePoints : options.PointsPositive,
            PointsParticle = o.HasParticlePoints ? (int)o.ParticlePoints : options.PointsParticle,
            RelativeTolerance = o.HasRelativeTolerance ? o.RelativeTolerance : options.RelativeTolerance,
        };
        foreach (var (key, value) in o.Submodels)
        {
            var k = Normal(key);
            if (k == "kinetics" && Normal(value) == "seed002i0")
            {
                options = options with { ExchangeCurrent = "stoichiometry" };
                continue;
            }

            if (k is "lithiummetal")
            {
                k = "lithiummetalkinetics";
            }

            var row = OptionTable.Rows.FirstOrDefault(r => Normal(r.Name) == k);
            if (row is null)
            {
                problems.Add($"options.submodels: unknown mechanism '{key}'; known: {string.Join(", ", OptionTable.Rows.Select(r => r.Name))}");
                continue;
            }

            var accepted = row.Accepted.FirstOrDefault(a => Normal(a) == Normal(value));
            if (accepted is null)
            {
                problems.Add($"options.submodels['{key}']: '{value}' is not accepted; accepted: {string.Join(", ", row.Accepted)}");
                continue;
            }

            options = row.Name switch
            {
                "particle transport" => options with { ParticleTransport = accepted },
                "kinetics" => options with { Kinetics = accepted },
                "exchange current" => options with { ExchangeCurrent = accepted },
                "electrolyte" => options with { Electrolyte = accepted },
                "counter electrode" => options with { CounterElectrode = accepted },
                "lithium metal kinetics" => options with { LithiumMetalKinetics = accepted },
                "thermal" => options with { Thermal = accepted },
                "stress-induced diffusion" => options with { StressInducedDiffusion = accepted },
                _ => throw new InvalidOperationException($"options table row '{row.Name}' has no mapping"),
            };
        }

        problems.AddRange(OptionTable.Validate(options));
        return options;
    }

    /// <summary>Applies an initial condition to a fresh model (none: the set's initial concentrations).</summary>
    public static void ApplyInitial(CellModel model, ParameterSet set, Contract.InitialCondition? initial)
    {
        if (initial is null || initial.StartCase == Contract.InitialCondition.StartOneofCase.None)
        {
            return;
        }

        try
        {
            switch (initial.StartCase)
            {
                case Contract.InitialCondition.StartOneofCase.Soc:
                    {
                        var (n, p) = InitialStates.FromSoc(model.Cell, set, initial.Soc);
                        model.SetInitialStoichiometry(n, p);
                        break;
                    }

                case Contract.InitialCondition.StartOneofCase.Voltage:
                    {
                        var (n, p) = InitialStates.FromVoltage(model.Cell, initial.Voltage);
                        model.SetInitialStoichiometry(n, p);
                        break;
                    }

                default:
                    {
                        var es = initial.Stoichiometry;
                        if (es.Stoichiometry is <= 0 or >= 1)
                        {
                            throw Invalid($"initial.stoichiometry: {es.Stoichiometry} is outside (0, 1).");
                        }

                        var cell = model.Cell;
                        var neg = cell.Negative?.Classes[0];
                        var pos = cell.Positive.Classes[0];
                        if (es.Electrode == ElectrodeRole.Positive)
                        {
                            model.SetInitialStoichiometry(neg is null ? null : neg.InitialConcentration / neg.MaxConcentration, es.Stoichiometry);
                        }
                        else if (es.Electrode == ElectrodeRole.Negative && neg is not null)
                        {
                            model.SetInitialStoichiometry(es.Stoichiometry, pos.InitialConcentration / pos.MaxConcentration);
                        }
                        else
                        {
                            throw Invalid("initial.stoichiometry.electrode: give the positive electrode (or the negative of a full cell).");
                        }

                        break;
                    }
            }
        }
        catch (ArgumentException ex)
        {
            throw Invalid($"initial: {ex.Message}");
        }
    }

    /// <summary>The experiment's steps (repeated) with its drive cycles resolved by name; contract sign converted.</summary>
    public static Physics.Electrochem.Experiments.Experiment ToExperiment(Contract.Experiment? e)
    {
        if (e is null || e.Steps.Count == 0)
        {
            throw Invalid("experiment.steps: give at least one step, e.g. \"Discharge at 1C until 3.0 V\".");
        }

        var cycles = new Dictionary<string, DriveCycle>(StringComparer.Ordinal);
        foreach (var c in e.DriveCycles)
        {
            cycles[c.Name] = ToCycle(c);
        }

        var repeat = Math.Max(1, (int)e.Repeat);
        var lines = Enumerable.Repeat(e.Steps, repeat).SelectMany(x => x).ToList();
        return Physics.Electrochem.Experiments.Experiment.Parse(lines, name =>
        {
            var key = name.Split(' ')[0];
            return cycles.TryGetValue(key, out var cycle) ? cycle
                : throw new ExperimentParseException($"Drive cycle '{key}' is not among experiment.drive_cycles ({string.Join(", ", cycles.Keys)}).", name, 0, [.. cycles.Keys]);
        });
    }

    private static DriveCycle ToCycle(Contract.DriveCycle c)
    {
        if (c.Time.Count < 2 || c.Time.Count != c.Value.Count)
        {
            throw Invalid($"drive cycle '{c.Name}': needs at least two (time, value) pairs of equal length, got {c.Time.Count} and {c.Value.Count}.");
        }

        for (var i = 1; i < c.Time.Count; i++)
        {
            if (!(c.Time[i] > c.Time[i - 1]))
            {
                throw Invalid($"drive cycle '{c.Name}': time[{i}] = {c.Time[i]} s is not after {c.Time[i - 1]} s.");
            }
        }

        var power = c.Kind switch
        {
            Contract.DriveCycleKind.Current => false,
            Contract.DriveCycleKind.Power => true,
            _ => throw Invalid($"drive cycle '{c.Name}': kind must be CURRENT or POWER (voltage-driven cycles are not supported)."),
        };
        // Contract: positive when charging; library: positive when discharging.
        return new DriveCycle(c.Name, [.. c.Time], [.. c.Value.Select(v => -v)], power);
    }

    public static Contract.ParsedStep ToParsed(int index, ExperimentStep s)
    {
        var step = new Contract.ParsedStep { Index = (uint)index, Text = s.Text, Duration = s.Duration ?? 0 };
        var sign = s.Kind == StepKind.Discharge ? -1 : 1;
        switch (s.Kind)
        {
            case StepKind.Rest:
                step.Control = Contract.ControlMode.Rest;
                break;
            case StepKind.Drive:
                step.Control = Contract.ControlMode.DriveCycle;
                step.DriveCycle = s.Cycle!.Name;
                break;
            case StepKind.Hold:
                step.Control = Contract.ControlMode.Voltage;
                step.Value = s.Setpoint!.Value.Value;
                step.Unit = "V";
                break;
            default:
                var a = s.Setpoint!.Value;
                (step.Control, step.Unit) = a.Unit switch
                {
                    Quantity.CRate => (Contract.ControlMode.CRate, "h-1"),
                    Quantity.Watts => (Contract.ControlMode.Power, "W"),
                    _ => (Contract.ControlMode.Current, "A"),
                };
                step.Value = sign * a.Value;
                break;
        }

        if (s.UntilVoltage is { } v)
        {
            step.Terminations.Add(new Contract.Termination { Quantity = "voltage", Value = v.Value, Unit = "V" });
        }

        if (s.UntilCurrent is { } i)
        {
            step.Terminations.Add(new Contract.Termination { Quantity = "current", Value = i.Value, Unit = i.Unit == Quantity.CRate ? "h-1" : "A" });
        }

        return step;
    }

    // ---- model state: [u32 header length][header JSON][CellState bytes] ----

    /// <summary>
    /// Decoded headers by their text, and the header bytes of decoded (set, options) pairs: a live cell's state carries
    /// the same header on every Advance, so it is parsed and resolved once, not per call. Bounded: cleared when full.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ResolvedSet Set, ModelOptions Options)> Headers = new(StringComparer.Ordinal);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModelOptions, Tuple<ResolvedSet, byte[]>> HeaderBytes = [];

    private const int MaxCachedHeaders = 256;

    public static Contract.ModelState ToState(ResolvedSet set, ModelOptions o, CellState state, double currentCharging)
    {
        var json = HeaderBytes.TryGetValue(o, out var known) && ReferenceEquals(known.Item1, set) ? known.Item2 : HeaderJson(set, o);
        var body = state.ToBytes();
        var data = new byte[4 + json.Length + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(data, json.Length);
        json.CopyTo(data, 4);
        body.CopyTo(data, 4 + json.Length);
        return new Contract.ModelState
        {
            Model = ToContract(o.Model),
            ParameterSet = set.Id,
            SchemaVersion = SchemaVersion,
            Time = state.Time,
            Current = currentCharging,
            Data = ByteString.CopyFrom(data),
        };
    }

    private static byte[] HeaderJson(ResolvedSet set, ModelOptions o)
    {
        var header = new StateHeader(set.Kind, set.Kind == "name" ? set.Set.Name : "", set.Inline is null ? null : Convert.ToBase64String(set.Inline),
            [.. set.Overrides.Select(x => new[] { x.Name, x.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) })],
            new ModelOptionsDto((int)o.Model, o.PointsNegative, o.PointsSeparator, o.PointsPositive, o.PointsParticle, o.RelativeTolerance,
                o.Temperature, o.ParticleTransport, o.Kinetics, o.ExchangeCurrent, o.CounterElectrode, o.LithiumMetalKinetics,
                o.NegativeSizeClasses, o.PositiveSizeClasses, o.SizeSpread, o.Thermal, o.StressInducedDiffusion,
                o.NegativeSizes?.ToArray(), o.PositiveSizes?.ToArray()));
        return JsonSerializer.SerializeToUtf8Bytes(header, Json);
    }

    public static (ResolvedSet Set, ModelOptions Options, CellState State) FromState(Contract.ModelState? state)
    {
        if (state is null || state.Data.IsEmpty)
        {
            throw Invalid("state: missing; create one with InitializeState or take final_state from Simulate.");
        }

        if (state.SchemaVersion != SchemaVersion)
        {
            throw Invalid($"state.schema_version {state.SchemaVersion} is not {SchemaVersion}; re-create the state.");
        }

        try
        {
            var data = state.Data.Span;
            var length = BinaryPrimitives.ReadInt32LittleEndian(data);
            var cell = CellState.FromBytes(data[(4 + length)..]);
            var text = Encoding.UTF8.GetString(data.Slice(4, length));
            if (!Headers.TryGetValue(text, out var decoded))
            {
                decoded = DecodeHeader(data.Slice(4, length));
                if (Headers.Count >= MaxCachedHeaders)
                {
                    Headers.Clear();
                }

                Headers[text] = decoded;
                HeaderBytes.AddOrUpdate(decoded.Options, Tuple.Create(decoded.Set, data.Slice(4, length).ToArray()));
            }

            if (decoded.Set.Id != state.ParameterSet)
            {
                throw Invalid($"state.parameter_set '{state.ParameterSet}' does not match its data ('{decoded.Set.Id}').");
            }

            return (decoded.Set, decoded.Options, cell with { Time = state.Time });
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException or IndexOutOfRangeException)
        {
            throw Invalid($"state.data is not a state this service wrote: {ex.Message}");
        }
    }

    private static (ResolvedSet Set, ModelOptions Options) DecodeHeader(ReadOnlySpan<byte> json)
    {
        var header = JsonSerializer.Deserialize<StateHeader>(json, Json) ?? throw new FormatException("empty header");
        var reference = header.Kind switch
        {
            "name" => new ParameterSetRef { Name = header.Name },
            "bpx" => new ParameterSetRef { BpxJson = ByteString.CopyFrom(Convert.FromBase64String(header.Inline!)) },
            _ => new ParameterSetRef { ParameterSetJson = ByteString.CopyFrom(Convert.FromBase64String(header.Inline!)) },
        };
        foreach (var pair in header.Overrides)
        {
            reference.Overrides.Add(new ParameterOverride { Name = pair[0], Value = double.Parse(pair[1], System.Globalization.CultureInfo.InvariantCulture) });
        }

        var resolved = ResolveSet(reference);
        var d = header.Options;
        var options = new ModelOptions
        {
            Model = (ModelKind)d.Model,
            PointsNegative = d.N,
            PointsSeparator = d.S,
            PointsPositive = d.P,
            PointsParticle = d.R,
            RelativeTolerance = d.Rtol,
            Temperature = d.Temperature,
            ParticleTransport = d.Transport,
            Kinetics = d.Kinetics,
            ExchangeCurrent = d.ExchangeCurrent,
            CounterElectrode = d.Counter,
            LithiumMetalKinetics = d.Lithium,
            NegativeSizeClasses = d.NegClasses,
            PositiveSizeClasses = d.PosClasses,
            SizeSpread = d.Spread,
            Thermal = d.Thermal ?? "isothermal",
            StressInducedDiffusion = d.StressInducedDiffusion ?? "false",
            NegativeSizes = d.NegativeSizes,
            PositiveSizes = d.PositiveSizes,
        };
        return (resolved, options);
    }

    public static ParameterSetInfo Info(ParameterSet set) => new()
    {
        Name = set.Name,
        Version = Version,
        Description = set.Description,
        Chemistry = set.Chemistry,
        Domains = { "electrochem" },
        References = { set.References.Select(r => new Reference { Citation = r.Citation, Doi = r.Doi ?? "", UsedFor = r.Used ?? "" }) },
        Placeholders = { set.Entries.Where(e => e.Placeholder).Select(e => e.Name).Order(StringComparer.Ordinal) },
    };
}
