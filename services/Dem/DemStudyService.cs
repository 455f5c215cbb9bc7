// digitaltwin.dem.v1.DemService over the DEM library: validates a study at submission (every problem
// at once, INVALID_ARGUMENT), runs it in the background, streams progress and serves results.
using System.Diagnostics;
using DigitalTwin.Contracts.Common.V1;
using DigitalTwin.Contracts.Dem.V1;
using DigitalTwin.Physics.Dem;
using DigitalTwin.Rpc;
using Google.Protobuf.WellKnownTypes;
using DemMonitors = DigitalTwin.Physics.Dem.Computes.Monitors;
using Lib = DigitalTwin.Physics.Dem.Studies;

namespace DigitalTwin.Services.Dem;

public sealed class DemStudyService(StudyRegistry registry, DemServiceOptions options) : DemServiceBase
{
    private static readonly string Version = typeof(DemStudyService).Assembly.GetName().Version?.ToString() ?? "0";

    public override Task<SubmitStudyResponse> SubmitStudy(SubmitStudyRequest request, ServerCallContext context)
    {
        if (registry.ByRequest(request.RequestId) is { } existing)
        {
            return Task.FromResult(new SubmitStudyResponse { StudyId = existing.Id, State = existing.State });
        }

        var spec = request.Spec ?? throw Invalid(["spec: required"]);
        var warnings = new List<Diagnostic>();
        Func<StudyRun, CancellationToken, Task> work;
        try
        {
            work = spec.StudyCase switch
            {
                StudySpec.StudyOneofCase.Compaction => Compaction(spec, warnings),
                StudySpec.StudyOneofCase.Crush => Crush(spec, warnings),
                StudySpec.StudyOneofCase.Transport => Transport(spec),
                _ => throw Invalid(["spec.study: one of compaction, crush or transport is required"]),
            };
        }
        catch (DemInputException e)
        {
            throw Invalid(e.Problems);
        }

        var run = registry.Add(request.RequestId, spec, work);
        run.Update(r => r.Diagnostics.AddRange(warnings));
        var response = new SubmitStudyResponse { StudyId = run.Id, State = run.State };
        response.Warnings.AddRange(warnings);
        return Task.FromResult(response);
    }

    public override Task<GetStudyResponse> GetStudy(GetStudyRequest request, ServerCallContext context) =>
        Task.FromResult(new GetStudyResponse { Study = Info(Find(request.StudyId), withSpec: true) });

    public override Task<ListStudiesResponse> ListStudies(ListStudiesRequest request, ServerCallContext context)
    {
        var size = request.PageSize == 0 ? 50 : (int)Math.Min(request.PageSize, 500);
        var skip = int.TryParse(request.PageToken, out var t) ? t : 0;
        var all = registry.All.Where(s => request.State == StudyState.Unspecified || s.State == request.State).ToList();
        var response = new ListStudiesResponse { NextPageToken = skip + size < all.Count ? (skip + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty };
        response.Studies.AddRange(all.Skip(skip).Take(size).Select(s => Info(s, withSpec: false)));
        return Task.FromResult(response);
    }

    public override async Task WatchStudy(WatchStudyRequest request, IServerStreamWriter<WatchStudyResponse> responseStream, ServerCallContext context)
    {
        var run = Find(request.StudyId);
        var interval = request.MinInterval?.ToTimeSpan() ?? TimeSpan.FromMilliseconds(200);
        var sent = -1;
        while (true)
        {
            var (version, latest, changed) = run.Snapshot();
            if (version != sent)
            {
                await responseStream.WriteAsync(latest);
                sent = version;
                if (run.IsFinal)
                {
                    return;
                }

                await Task.Delay(interval, context.CancellationToken);
                continue;
            }

            if (run.IsFinal)
            {
                return;
            }

            await changed.WaitAsync(context.CancellationToken);
        }
    }

    public override Task<GetStageResultResponse> GetStageResult(GetStageResultRequest request, ServerCallContext context)
    {
        var run = Find(request.StudyId);
        lock (run.Stages)
        {
            if (request.StageIndex >= run.Stages.Count)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"study {run.Id} has {run.Stages.Count} finished stage(s); stage_index {request.StageIndex} is not among them"));
            }

            return Task.FromResult(new GetStageResultResponse { Result = run.Stages[(int)request.StageIndex].Result });
        }
    }

    public override async Task StreamParticles(StreamParticlesRequest request, IServerStreamWriter<StreamParticlesResponse> responseStream, ServerCallContext context)
    {
        var run = Find(request.StudyId);
        (StageInfo Info, StageResult Result, Lib.ParticleSnapshot? Snapshot, double[]? LoveWeber, double[]? Split, int[]? Coordination) stage;
        lock (run.Stages)
        {
            if (request.StageIndex >= run.Stages.Count || run.Stages[(int)request.StageIndex].Snapshot is null)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"study {run.Id}: stage {request.StageIndex} has no particle list"));
            }

            stage = run.Stages[(int)request.StageIndex];
        }

        var s = stage.Snapshot!;
        var fields = request.Fields.Count == 0 ? [ParticleField.Position] : request.Fields.ToHashSet();
        var chunk = request.ChunkSize == 0 ? options.ParticleChunk : (int)request.ChunkSize;
        var n = s.Id.Length;
        for (var first = 0; first < n; first += chunk)
        {
            var c = new ParticleChunk { FirstIndex = (ulong)first, Total = (ulong)n };
            var end = Math.Min(n, first + chunk);
            for (var i = first; i < end; i++)
            {
                c.Id.Add((ulong)s.Id[i]);
                c.TypeIndex.Add((uint)s.Type[i]);
                c.Radius.Add(s.Radius[i]);
                if (fields.Contains(ParticleField.Position))
                {
                    c.Position.Add([s.X[i], s.Y[i], s.Z[i]]);
                }

                if (fields.Contains(ParticleField.Velocity) && s.Velocity is { } v)
                {
                    c.Velocity.Add([v[3 * i], v[3 * i + 1], v[3 * i + 2]]);
                }

                if (fields.Contains(ParticleField.StressLoveWeber) && stage.LoveWeber is { } lw)
                {
                    c.StressLoveWeber.Add(Voigt(lw.AsSpan(6 * i, 6).ToArray()));
                }

                if (fields.Contains(ParticleField.StressSplit) && stage.Split is { } split)
                {
                    c.StressSplit.Add(Voigt(split.AsSpan(6 * i, 6).ToArray()));
                }

                if (fields.Contains(ParticleField.Coordination) && stage.Coordination is { } z)
                {
                    c.Coordination.Add((uint)z[i]);
                }
            }

            await responseStream.WriteAsync(new StreamParticlesResponse { Chunk = c });
        }
    }

    public override Task<CancelStudyResponse> CancelStudy(CancelStudyRequest request, ServerCallContext context)
    {
        var run = Find(request.StudyId);
        run.Cancel.Cancel();
        return Task.FromResult(new CancelStudyResponse { State = run.State });
    }

    private StudyRun Find(string id) =>
        registry.TryGet(id, out var run) ? run : throw new RpcException(new Status(StatusCode.NotFound, $"no study '{id}'"));

    private static RpcException Invalid(IEnumerable<string> problems) =>
        new(new Status(StatusCode.InvalidArgument, string.Join("\n", problems)));

    // our library stores xx, yy, zz, xy, xz, yz; the contract's Voigt order is xx, yy, zz, yz, xz, xy
    private static double[] Voigt(double[] t) => [t[0], t[1], t[2], t[5], t[4], t[3]];

    private StudyInfo Info(StudyRun run, bool withSpec)
    {
        var info = new StudyInfo { StudyId = run.Id, State = run.State, SubmittedAt = run.SubmittedAt, StartedAt = run.StartedAt, FinishedAt = run.FinishedAt, Provenance = Provenance(run) };
        if (withSpec)
        {
            info.Spec = run.Spec;
        }

        lock (run.Stages)
        {
            info.Stages.AddRange(run.Stages.Select(s => s.Info));
        }

        info.Diagnostics.AddRange(run.Diagnostics);
        return info;
    }

    private static Provenance Provenance(StudyRun run) => new()
    {
        Producer = "DigitalTwin.Services.Dem",
        ProducerVersion = Version,
        Model = run.Spec.StudyCase.ToString(),
        ModelVersion = Version,
        Seed = run.Spec.Seed,
        CreatedAt = Timestamp.FromDateTime(DateTime.UtcNow),
    };

    // ---------------------------------------------------------------- compaction
    private Func<StudyRun, CancellationToken, Task> Compaction(StudySpec spec, List<Diagnostic> warnings)
    {
        var c = spec.Compaction;
        var (materials, problems) = SpecMapping.Materials(c.ParticleTypes, c.WallMaterial);
        var contact = SpecMapping.Contact(c.ContactModel, problems);
        if (c.Stages.Count == 0)
        {
            problems.Add("compaction.stages: at least one stage is required");
        }

        var active = c.ParticleTypes.ToList().FindIndex(t => t.ActiveMaterial);
        if (active < 0)
        {
            problems.Add("compaction.particle_types: mark the active material (active_material = true)");
        }

        DemInputException.ThrowIfAny(problems);
        var (packing, footprint, h0) = SpecMapping.Packing(c, spec.Seed);
        var dt = c.TimeStep > 0 ? c.TimeStep : SpecMapping.ChooseTimeStep(packing, materials, warnings);
        var settings = new DemSettings
        {
            TimeStep = dt, Skin = options.Compaction.Parameters.SkinM, Contact = contact,
            Threads = spec.Threads == 0 ? Environment.ProcessorCount : (int)spec.Threads,
        };
        foreach (var stage in c.Stages.Where(s => s.MaxTime > 0 || s.KineticEnergyRatio > 0))
        {
            warnings.Add(new Diagnostic
            {
                Severity = Severity.Warning, Code = "criterion_not_used", Source = $"stages[{stage.Name}]",
                Message = "max_time and kinetic_energy_ratio are not used: stages end on the deck's force and plate-motion tolerances",
            });
        }

        var runner = new Lib.CompactionRunner(packing, footprint, h0, materials, settings, options.Compaction, active, active == 0 ? 1 : 0);
        return async (run, ct) =>
        {
            await Task.Yield();
            using (runner)
            {
                var sw = Stopwatch.StartNew();
                for (var k = 0; k < c.Stages.Count; k++)
                {
                    var st = c.Stages[k];
                    var name = st.Name.Length > 0 ? st.Name : st.ActionCase.ToString();
                    var index = (uint)k;
                    var progress = new Reporter<Lib.CompactionProgress>(p => run.Update(_ => { }, new WatchStudyResponse
                    {
                        Progress = new Progress
                        {
                            Stage = p.Stage, StageIndex = index, StageCount = (uint)c.Stages.Count, Fraction = p.MaxChunks > 0 ? Math.Min(1, p.Chunk / (double)p.MaxChunks) : 0,
                            Done = (ulong)p.Chunk, Total = (ulong)p.MaxChunks, UnitName = "chunks", Message = p.Message, Elapsed = Duration.FromTimeSpan(sw.Elapsed),
                        },
                        Monitors = new Monitors
                        {
                            StageIndex = index, Steps = (ulong)p.Step, SimulatedTime = p.Step * dt, PlatePressure = p.PressurePa,
                            KineticEnergy = DemMonitors.KineticEnergy(runner.System),
                            ParticleStepsPerSecond = runner.System.ParticleCount * (double)p.Step / Math.Max(1e-9, sw.Elapsed.TotalSeconds),
                        },
                    }));
                    var results = st.ActionCase switch
                    {
                        CompactionStage.ActionOneofCase.Uniaxial => [runner.Uniaxial(name, st.Uniaxial.TargetPressure, st.Uniaxial.MaxPlateSpeed > 0 ? st.Uniaxial.MaxPlateSpeed : options.Compaction.VelocityMaxU, progress, ct)],
                        CompactionStage.ActionOneofCase.Release => [runner.Release(name, st.Release.TargetPressure, progress, ct)],
                        CompactionStage.ActionOneofCase.Isostatic => [runner.Isostatic(name, st.Isostatic.Pressure, progress, ct)],
                        CompactionStage.ActionOneofCase.Swelling => runner.Swelling(name, (int)st.Swelling.Cycles, st.Swelling.DiameterStrain, st.Swelling.StartSwollen, progress, ct),
                        CompactionStage.ActionOneofCase.Schedule => [runner.Schedule(name, st.Schedule.Time.ToArray(), st.Schedule.DiameterStrain.ToArray(), progress, ct)],
                        _ => throw new DemInputException([$"stages[{k}]: no action"]),
                    };
                    foreach (var r in results)
                    {
                        AddStage(run, r, c.ParticleTypes.Count);
                        if (!r.Converged)
                        {
                            run.Update(x => x.Diagnostics.Add(new Diagnostic { Severity = Severity.Error, Code = "not_converged", Message = r.Diagnosis, Source = r.Name }));
                            return;
                        }
                    }
                }
            }
        };
    }

    private static void AddStage(StudyRun run, Lib.StageResult r, int types)
    {
        var st = r.Stress!;
        var result = new StageResult { StageName = r.Name, Packing = SpecMapping.Packing(r, types), Provenance = Provenance(run) };
        run.Update(x =>
        {
            lock (x.Stages)
            {
                result.StageIndex = (uint)x.Stages.Count;
                var info = new StageInfo
                {
                    Index = (uint)x.Stages.Count, Name = r.Name, State = r.Converged ? StudyState.Succeeded : StudyState.Unconverged, SimulatedTime = r.SimulatedTimeS, Steps = (ulong)r.Steps,
                };
                x.Stages.Add((info, result, r.Snapshot, st.LoveWeber, st.Split, st.Contacts.Zip(st.WallContacts, (a, b) => a + b).ToArray()));
            }
        });
    }

    // ---------------------------------------------------------------- crush
    private static Func<StudyRun, CancellationToken, Task> Crush(StudySpec spec, List<Diagnostic> warnings)
    {
        var o = SpecMapping.Crush(spec, warnings);
        return async (run, ct) =>
        {
            await Task.Yield();
            var r = Lib.CrushStudy.Run(o, new Reporter<Lib.CrushProgress>(p => run.Update(_ => { }, new WatchStudyResponse
            {
                Progress = new Progress { Stage = p.Stage, Fraction = p.Fraction, Message = p.Message, StageCount = 1 },
            })), ct);
            var result = new StageResult
            {
                StageIndex = 0, StageName = "crush", Provenance = Provenance(run),
                Crush = new CrushResult { FractureForce = r.FractureForceN, FractureDisplacement = r.FractureDisplacementM, Strength = r.StrengthPa, BrokenBonds = (ulong)r.BrokenBonds },
            };
            result.Crush.Displacement.AddRange(r.Displacement);
            result.Crush.Force.AddRange(r.Force);
            run.Update(x =>
            {
                lock (x.Stages)
                {
                    x.Stages.Add((new StageInfo { Index = 0, Name = "crush", State = StudyState.Succeeded }, result, null, null, null, null));
                }
            });
        };
    }

    // ---------------------------------------------------------------- transport
    private Func<StudyRun, CancellationToken, Task> Transport(StudySpec spec)
    {
        var t = spec.Transport;
        var problems = new List<string>();
        if (t.Axis is not (Axis.Unspecified or Axis.Z))
        {
            problems.Add($"transport.axis = {t.Axis}: only z (the pressing axis) is supported");
        }

        Lib.ParticleSnapshot snapshot;
        int active;
        if (t.PackingCase == TransportStudy.PackingOneofCase.Stage)
        {
            if (!registry.TryGet(t.Stage.StudyId, out var source))
            {
                throw new DemInputException([$"transport.stage.study_id = '{t.Stage.StudyId}': no such study"]);
            }

            lock (source.Stages)
            {
                if (t.Stage.StageIndex >= source.Stages.Count || source.Stages[(int)t.Stage.StageIndex].Snapshot is null)
                {
                    throw new DemInputException([$"transport.stage.stage_index = {t.Stage.StageIndex}: study {source.Id} has no particle list there"]);
                }

                snapshot = source.Stages[(int)t.Stage.StageIndex].Snapshot!;
            }

            active = source.Spec.Compaction?.ParticleTypes.ToList().FindIndex(p => p.ActiveMaterial) ?? 0;
        }
        else if (t.PackingCase == TransportStudy.PackingOneofCase.Particles)
        {
            snapshot = SpecMapping.Snapshot(t.Particles, problems);
            active = t.ParticleTypes.ToList().FindIndex(p => p.ActiveMaterial);
            if (active < 0)
            {
                problems.Add("transport.particle_types: mark the active material (active_material = true)");
            }
        }
        else
        {
            throw new DemInputException(["transport.packing: a stage reference or particles are required"]);
        }

        DemInputException.ThrowIfAny(problems);
        var voxel = t.VoxelSize > 0 ? t.VoxelSize : 0.5e-6;
        var tol = t.Tolerance > 0 ? t.Tolerance : 1e-8;
        var se = active == 0 ? 1 : 0;
        return async (run, ct) =>
        {
            await Task.Yield();
            var r = DigitalTwin.Physics.Dem.Transport.TransportStudy.Run(snapshot, voxel, active, se, tol,
                new Reporter<(string Phase, double Fraction)>(p => run.Update(_ => { }, new WatchStudyResponse { Progress = new Progress { Stage = p.Phase, Fraction = p.Fraction } })), ct);
            var result = new StageResult
            {
                StageIndex = 0, StageName = "transport", Provenance = Provenance(run),
                Transport = new TransportResult
                {
                    ActiveMaterial = SpecMapping.Phase(r.Am), Electrolyte = SpecMapping.Phase(r.Se),
                    EffectiveConductivity = r.ConductivityRatio * t.ActiveMaterialConductivity, EffectiveDiffusivity = r.DiffusivityRatio * t.ElectrolyteDiffusivity,
                    VoxelSize = r.VoxelSizeM, Nx = (uint)r.GridSize[0], Ny = (uint)r.GridSize[1], Nz = (uint)r.GridSize[2],
                },
            };
            run.Update(x =>
            {
                lock (x.Stages)
                {
                    x.Stages.Add((new StageInfo { Index = 0, Name = "transport", State = StudyState.Succeeded }, result, null, null, null, null));
                }
            });
        };
    }

    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
