// The time loop (LAMMPS Verlet order): initial integrate + wall motion + swelling, neighbour check,
// forces, gather + final integrate, servo update. One SPMD body per chunk, three barriers per step.
namespace DigitalTwin.Physics.Dem;

public sealed partial class DemSystem
{
    /// <summary>dt used to advance the shear history (0 during set-up, as LAMMPS shearupdate = 0).</summary>
    internal double ShearDt;
    private const int CancelCheckInterval = 1000;

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
            var t0 = Time;
            _team.Run(tid => StepLoop(tid, chunk, t0));
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

    private void StepLoop(int tid, int steps, double t0)
    {
        var scales = new double[Materials.TypeCount];
        var swelling = _schedules.Count > 0;
        var dt = Dt;
        for (var s = 0; s < steps; s++)
        {
            var tNew = t0 + (s + 1) * dt;
            if (swelling)
            {
                for (var t = 0; t < scales.Length; t++)
                {
                    scales[t] = _schedules.TryGetValue(t, out var sch) ? sch.ScaleAt(tNew) : _typeScale[t];
                }
            }

            int b0 = ThreadBlocks[tid], b1 = ThreadBlocks[tid + 1];
            _rebuildFlag[tid] = InitialIntegrate(b0, b1, swelling ? scales : null);
            if (tid == 0)
            {
                for (var w = 0; w < WallCount; w++)
                {
                    WallPos[w] += dt * WallVel[w];
                    _walls[w].Position = WallPos[w];
                }

                if (swelling)
                {
                    Array.Copy(scales, _typeScale, scales.Length);
                }
            }

            _team.Barrier();
            var rebuild = _forceRebuild;
            for (var k = 0; k < _rebuildFlag.Length; k++)
            {
                rebuild |= _rebuildFlag[k];
            }

            if (rebuild)
            {
                _team.Barrier();
                if (tid == 0)
                {
                    RebuildNeighbors();
                }

                _team.Barrier();
                b0 = ThreadBlocks[tid];
                b1 = ThreadBlocks[tid + 1];
            }

            ComputeBlocks(b0, b1);
            _team.Barrier();
            GatherAndFinalIntegrate(b0, b1);
            _team.Barrier();
            if (tid == 0)
            {
                UpdateWallsAndServos(dt);
                Time = tNew;
            }
        }
    }

    private void ComputeBlocks(int b0, int b1)
    {
        if (WallCount > 0)
        {
            Array.Clear(BlockWallForce, 3 * b0 * WallCount, 3 * (b1 - b0) * WallCount);
            Array.Clear(BlockWallContacts, b0 * WallCount, (b1 - b0) * WallCount);
        }

        _kernel.ComputeOwned(this, b0, b1);
    }

    private bool InitialIntegrate(int b0, int b1, double[]? scales)
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
        var halfSkin = 0.5 * Skin;
        var trigger2 = halfSkin * halfSkin;
        var flag = false;
        for (var i = i0; i < i1; i++)
        {
            var i3 = 3 * i;
            var a = dtf * InvMass[i];
            var b = dtf * InvInertia[i];
            vel[i3] += a * f[i3];
            vel[i3 + 1] += a * f[i3 + 1];
            vel[i3 + 2] += a * f[i3 + 2];
            pos[i3] += dt * vel[i3];
            pos[i3 + 1] += dt * vel[i3 + 1];
            pos[i3 + 2] += dt * vel[i3 + 2];
            omg[i3] += b * t[i3];
            omg[i3 + 1] += b * t[i3 + 1];
            omg[i3 + 2] += b * t[i3 + 2];
            var dx = pos[i3] - PosBuild[i3];
            var dy = pos[i3 + 1] - PosBuild[i3 + 1];
            var dz = pos[i3 + 2] - PosBuild[i3 + 2];
            var d2 = dx * dx + dy * dy + dz * dz;
            if (scales is null)
            {
                flag |= d2 > trigger2;
            }
            else
            {
                var r = Radius0[i] * scales[Type[i]];
                if (r != Radius[i])
                {
                    Radius[i] = r;
                    UpdateMass(i);
                }

                flag |= Math.Sqrt(d2) + Math.Max(0, r - RadiusBuild[i]) > halfSkin;
            }
        }

        return flag;
    }

    private void GatherAndFinalIntegrate(int b0, int b1)
    {
        var i0 = b0 << BlockShift;
        var i1 = Math.Min(b1 << BlockShift, N);
        var dtf = 0.5 * Dt;
        var pf = PairForce;
        var pt = PairTorqueJ;
        var rs = RevStart;
        var rp = RevPair;
        var damping = Settings.GlobalDamping;
        for (var i = i0; i < i1; i++)
        {
            var i3 = 3 * i;
            double fx = Force[i3], fy = Force[i3 + 1], fz = Force[i3 + 2];
            double tx = Torque[i3], ty = Torque[i3 + 1], tz = Torque[i3 + 2];
            var end = rs[i + 1];
            for (var k = rs[i]; k < end; k++)
            {
                var p3 = 3 * rp[k];
                fx -= pf[p3];
                fy -= pf[p3 + 1];
                fz -= pf[p3 + 2];
                tx += pt[p3];
                ty += pt[p3 + 1];
                tz += pt[p3 + 2];
            }

            if (damping > 0)
            {
                var cm = damping * Mass[i];
                var ci = damping / InvInertia[i];
                fx -= cm * Vel[i3];
                fy -= cm * Vel[i3 + 1];
                fz -= cm * Vel[i3 + 2];
                tx -= ci * Omega[i3];
                ty -= ci * Omega[i3 + 1];
                tz -= ci * Omega[i3 + 2];
            }

            Force[i3] = fx;
            Force[i3 + 1] = fy;
            Force[i3 + 2] = fz;
            Torque[i3] = tx;
            Torque[i3 + 1] = ty;
            Torque[i3 + 2] = tz;
            var a = dtf * InvMass[i];
            var b = dtf * InvInertia[i];
            Vel[i3] += a * fx;
            Vel[i3 + 1] += a * fy;
            Vel[i3 + 2] += a * fz;
            Omega[i3] += b * tx;
            Omega[i3 + 1] += b * ty;
            Omega[i3 + 2] += b * tz;
        }
    }

    private void UpdateWallsAndServos(double dt)
    {
        for (var w = 0; w < WallCount; w++)
        {
            var wall = _walls[w];
            double fx = 0, fy = 0, fz = 0;
            var contacts = 0;
            for (var b = 0; b < BlockCount; b++)
            {
                var k = b * WallCount + w;
                fx += BlockWallForce[3 * k];
                fy += BlockWallForce[3 * k + 1];
                fz += BlockWallForce[3 * k + 2];
                contacts += BlockWallContacts[k];
            }

            wall.Force[0] = fx;
            wall.Force[1] = fy;
            wall.Force[2] = fz;
            wall.ContactCount = contacts;
            if (wall.Servo is { } sv)
            {
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
    }

    /// <summary>Forces at the current state without advancing history (run set-up).</summary>
    private void ComputeForcesOnce()
    {
        SyncWallsIn();
        ShearDt = 0.0;
        ComputeBlocks(0, BlockCount);
        GatherOnly();
        UpdateWallsAndServosNoControl();
    }

    private void GatherOnly()
    {
        for (var i = 0; i < N; i++)
        {
            var i3 = 3 * i;
            for (var k = RevStart[i]; k < RevStart[i + 1]; k++)
            {
                var p3 = 3 * RevPair[k];
                Force[i3] -= PairForce[p3];
                Force[i3 + 1] -= PairForce[p3 + 1];
                Force[i3 + 2] -= PairForce[p3 + 2];
                Torque[i3] += PairTorqueJ[p3];
                Torque[i3 + 1] += PairTorqueJ[p3 + 1];
                Torque[i3 + 2] += PairTorqueJ[p3 + 2];
            }
        }
    }

    private void UpdateWallsAndServosNoControl()
    {
        for (var w = 0; w < WallCount; w++)
        {
            double fx = 0, fy = 0, fz = 0;
            var contacts = 0;
            for (var b = 0; b < BlockCount; b++)
            {
                var k = b * WallCount + w;
                fx += BlockWallForce[3 * k];
                fy += BlockWallForce[3 * k + 1];
                fz += BlockWallForce[3 * k + 2];
                contacts += BlockWallContacts[k];
            }

            _walls[w].Force[0] = fx;
            _walls[w].Force[1] = fy;
            _walls[w].Force[2] = fz;
            _walls[w].ContactCount = contacts;
            if (_walls[w].Servo is { } sv)
            {
                sv.OldLoad = _walls[w].Load;
            }
        }
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
