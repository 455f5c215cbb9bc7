// The time loop (LAMMPS Verlet order): initial integrate + wall motion + swelling, neighbour check,
// forces, gather + final integrate + servo. One SPMD body per chunk; the gather and final integrate of a
// step and the initial integrate of the next run in one loop over a thread's particles: two barriers per step.
using System.Runtime.CompilerServices;

namespace DigitalTwin.Physics.Dem;

public sealed partial class DemSystem
{
    /// <summary>dt used to advance the shear history (0 during set-up, as LAMMPS shearupdate = 0).</summary>
    internal double ShearDt;
    private const int CancelCheckInterval = 1000;
    private readonly Action<int> _stepBody;
    private readonly double[][] _threadScales;

    // per thread: the two largest build-time displacements (incl. growth) of its particles
    private readonly double[] _displacement;
    private double _wallMove;
    private int _chunkSteps;
    private double _chunkT0;

    /// <summary>Advances <paramref name="steps"/> time steps.</summary>
    public void Run(int steps, CancellationToken cancellationToken = default)
    {
        var done = 0;
        while (done < steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = Math.Min(CancelCheckInterval, steps - done);
            SyncWallsIn();
            ShearDt = Dt;
            _chunkSteps = chunk;
            _chunkT0 = Time;
            _team.Run(_stepBody);
            Step += chunk;
            done += chunk;
        }
    }

    private void SyncWallsIn()
    {
        for (var w = 0; w < WallCount; w++)
        {
            WallPos[w] = _walls[w].Position;
            WallVel[w] = _walls[w].Velocity;
        }
    }

    private void StepLoop(int tid)
    {
        var steps = _chunkSteps;
        var t0 = _chunkT0;
        var dt = Dt;
        int b0 = ThreadBlocks[tid], b1 = ThreadBlocks[tid + 1];
        Initial(tid, b0, b1, t0 + dt, gather: false);
        for (var s = 0; s < steps; s++)
        {
            _team.Barrier();
            if (NeedsRebuild())
            {
                // everyone has read the flags before thread 0 clears them and re-orders the particles
                _team.Barrier();
                RebuildNeighbors(tid);
                _team.Barrier();
                b0 = ThreadBlocks[tid];
                b1 = ThreadBlocks[tid + 1];
            }

            _kernel.ComputeOwned(this, _scratch[tid], b0, b1);
            _team.Barrier();
            if (_bonds is not null)
            {
                // bonds on one thread in formation order (DemSystem.Bonds.cs); everyone waits for them before gathering
                if (tid == 0)
                {
                    ApplyBonds(Dt);
                }

                _team.Barrier();
            }

            if (tid == 0)
            {
                UpdateWallsAndServos(dt, control: true);
                Time = t0 + (s + 1) * dt;
            }

            if (s + 1 < steps)
            {
                Initial(tid, b0, b1, t0 + (s + 2) * dt, gather: true);
            }
            else
            {
                GatherAndFinalIntegrate(b0, b1);
            }
        }
    }

    /// <summary>Initial integrate of the step ending at <paramref name="tNew"/> (after the gather and final integrate of
    /// the step before if <paramref name="gather"/>); thread 0 also moves the walls.</summary>
    private void Initial(int tid, int b0, int b1, double tNew, bool gather)
    {
        double[]? scales = null;
        if (_schedules.Count > 0)
        {
            scales = _threadScales[tid];
            for (var t = 0; t < scales.Length; t++)
            {
                scales[t] = _schedules.TryGetValue(t, out var sch) ? sch.ScaleAt(tNew) : _typeScale[t];
            }
        }

        InitialIntegrate(tid, b0, b1, scales, gather);
        if (tid == 0)
        {
            var move = 0.0;
            for (var w = 0; w < WallCount; w++)
            {
                WallPos[w] += Dt * WallVel[w];
                _walls[w].Position = WallPos[w];
                move = Math.Max(move, Math.Abs(WallPos[w] - WallPosBuild[w]));
            }

            _wallMove = move;
            if (scales is not null)
            {
                Array.Copy(scales, _typeScale, scales.Length);
            }
        }
    }

    /// <summary>A pair can have closed the skin only if the two largest displacements since the build (growth included)
    /// add up to more than it; a wall contact only if the largest one plus the wall's own motion does. Same answer on every thread.</summary>
    private bool NeedsRebuild()
    {
        double top1 = 0, top2 = 0;
        for (var t = 0; t < _team.Count; t++)
        {
            Top2(ref top1, ref top2, _displacement[2 * t]);
            Top2(ref top1, ref top2, _displacement[2 * t + 1]);
        }

        return _forceRebuild || top1 + top2 > Skin || top1 + _wallMove > Skin;
    }

    private static void Top2(ref double top1, ref double top2, double e)
    {
        if (e > top1)
        {
            top2 = top1;
            top1 = e;
        }
        else if (e > top2)
        {
            top2 = e;
        }
    }

    private void InitialIntegrate(int tid, int b0, int b1, double[]? scales, bool gather)
    {
        var i0 = b0 << BlockShift;
        var i1 = Math.Min(b1 << BlockShift, N);
        var dt = Dt;
        var dtf = 0.5 * dt;
        var pos = Pos;
        var vel = Vel;
        var omg = Omega;
        var f = Force;
        var t = Torque;
        var build = PosBuild;
        var invMass = InvMass;
        var invInertia = InvInertia;
        double top1 = 0, top2 = 0;
        for (var i = i0; i < i1; i++)
        {
            if (gather)
            {
                GatherAndFinalIntegrate(i);
            }

            var i3 = 3 * i;
            var a = dtf * invMass[i];
            var b = dtf * invInertia[i];
            vel[i3] += a * f[i3];
            vel[i3 + 1] += a * f[i3 + 1];
            vel[i3 + 2] += a * f[i3 + 2];
            pos[i3] += dt * vel[i3];
            pos[i3 + 1] += dt * vel[i3 + 1];
            pos[i3 + 2] += dt * vel[i3 + 2];
            omg[i3] += b * t[i3];
            omg[i3 + 1] += b * t[i3 + 1];
            omg[i3 + 2] += b * t[i3 + 2];
            var dx = pos[i3] - build[i3];
            var dy = pos[i3 + 1] - build[i3 + 1];
            var dz = pos[i3 + 2] - build[i3 + 2];
            var d2 = dx * dx + dy * dy + dz * dz;
            if (scales is null)
            {
                // squared displacements order like displacements; the root is taken for the two kept
                Top2(ref top1, ref top2, d2);
            }
            else
            {
                var r = Radius0[i] * scales[Type[i]];
                if (r != Radius[i])
                {
                    Radius[i] = r;
                    UpdateMass(i);
                }

                Top2(ref top1, ref top2, Math.Sqrt(d2) + Math.Max(0, r - RadiusBuild[i]));
            }
        }

        _displacement[2 * tid] = scales is null ? Math.Sqrt(top1) : top1;
        _displacement[2 * tid + 1] = scales is null ? Math.Sqrt(top2) : top2;
    }

    private void GatherAndFinalIntegrate(int b0, int b1)
    {
        var i1 = Math.Min(b1 << BlockShift, N);
        for (var i = b0 << BlockShift; i < i1; i++)
        {
            GatherAndFinalIntegrate(i);
        }
    }

    /// <summary>Partner shares in owner order, global damping, then the final half-step of one particle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void GatherAndFinalIntegrate(int i)
    {
        var dtf = 0.5 * Dt;
        var part = Partner;
        var rs = RevStart;
        var rp = RevPair;
        var damping = Settings.GlobalDamping;
        var force = Force;
        var torque = Torque;
        var vel = Vel;
        var omg = Omega;
        var i3 = 3 * i;
        double fx = force[i3], fy = force[i3 + 1], fz = force[i3 + 2];
        double tx = torque[i3], ty = torque[i3 + 1], tz = torque[i3 + 2];
        var end = rs[i + 1];
        for (var k = rs[i]; k < end; k++)
        {
            var q = 6 * rp[k];
            fx += part[q];
            fy += part[q + 1];
            fz += part[q + 2];
            tx += part[q + 3];
            ty += part[q + 4];
            tz += part[q + 5];
        }

        if (damping > 0)
        {
            var cm = damping * Mass[i];
            var ci = damping / InvInertia[i];
            fx -= cm * vel[i3];
            fy -= cm * vel[i3 + 1];
            fz -= cm * vel[i3 + 2];
            tx -= ci * omg[i3];
            ty -= ci * omg[i3 + 1];
            tz -= ci * omg[i3 + 2];
        }

        force[i3] = fx;
        force[i3 + 1] = fy;
        force[i3 + 2] = fz;
        torque[i3] = tx;
        torque[i3 + 1] = ty;
        torque[i3 + 2] = tz;
        var a = dtf * InvMass[i];
        var b = dtf * InvInertia[i];
        vel[i3] += a * fx;
        vel[i3 + 1] += a * fy;
        vel[i3 + 2] += a * fz;
        omg[i3] += b * tx;
        omg[i3 + 1] += b * ty;
        omg[i3 + 2] += b * tz;
    }

    /// <summary>Wall loads summed over each wall's candidates in particle order (thread-count independent); then the servos.</summary>
    private void UpdateWallsAndServos(double dt, bool control)
    {
        for (var w = 0; w < WallCount; w++)
        {
            var wall = _walls[w];
            double fx = 0, fy = 0, fz = 0;
            var contacts = 0;
            var list = WallCandidates[w];
            var nw = WallCount;
            for (var m = 0; m < WallCandidateCount[w]; m++)
            {
                var k = list[m] * nw + w;
                if (WallTouch[k] != 0)
                {
                    fx -= WallForce[3 * k];
                    fy -= WallForce[3 * k + 1];
                    fz -= WallForce[3 * k + 2];
                    contacts++;
                }
            }

            wall.Force[0] = fx;
            wall.Force[1] = fy;
            wall.Force[2] = fz;
            wall.ContactCount = contacts;
            if (wall.Servo is not { } sv)
            {
                continue;
            }

            if (!control)
            {
                sv.OldLoad = wall.Load;
                continue;
            }

            var target = sv.TargetPressure * FaceArea(wall.Axis);
            var load = wall.Load;
            var err = (target - load) / target;
            sv.ErrorIntegral += err * dt;
            var derr = -(load - sv.OldLoad) / dt / target;
            var u = sv.VelocityMax * (sv.Kp * err + sv.Ki * sv.ErrorIntegral + sv.Kd * derr);
            u = Math.Clamp(u, -sv.VelocityMax, sv.VelocityMax);
            sv.OldLoad = load;
            WallVel[w] = wall.Side * u;
            wall.Velocity = WallVel[w];
        }
    }

    /// <summary>Forces at the current state without advancing history (run set-up).</summary>
    private void ComputeForcesOnce()
    {
        SyncWallsIn();
        ShearDt = 0.0;
        _kernel.ComputeOwned(this, _scratch[0], 0, BlockCount);
        if (_bonds is not null)
        {
            ApplyBonds(0.0);
        }

        GatherOnly();
        UpdateWallsAndServos(0, control: false);
    }

    private void GatherOnly()
    {
        for (var i = 0; i < N; i++)
        {
            var i3 = 3 * i;
            for (var k = RevStart[i]; k < RevStart[i + 1]; k++)
            {
                var q = 6 * RevPair[k];
                Force[i3] += Partner[q];
                Force[i3 + 1] += Partner[q + 1];
                Force[i3 + 2] += Partner[q + 2];
                Torque[i3] += Partner[q + 3];
                Torque[i3 + 1] += Partner[q + 4];
                Torque[i3 + 2] += Partner[q + 5];
            }
        }
    }

    /// <summary>Force on the owner of pair p at the last step [N] (the partner's share negated).</summary>
    internal void PairForceOnOwner(int p, out double fx, out double fy, out double fz)
    {
        var q = 6 * p;
        fx = -Partner[q];
        fy = -Partner[q + 1];
        fz = -Partner[q + 2];
    }

    private void ApplyScales()
    {
        for (var i = 0; i < N; i++)
        {
            var r = Radius0[i] * _typeScale[Type[i]];
            if (r != Radius[i])
            {
                Radius[i] = r;
                UpdateMass(i);
                _radiiChanged = true;
            }
        }

        if (_radiiChanged)
        {
            _forceRebuild = true;
            _radiiChanged = false;
        }
    }
}
