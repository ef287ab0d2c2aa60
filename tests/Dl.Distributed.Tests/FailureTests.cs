using System;

namespace Dl.Distributed.Tests;

/// <summary>A rank that dies or hangs ends the whole job within seconds, with words that say what happened; never a hang.</summary>
[Collection(MpiCollection.Name)]
public sealed class FailureTests
{
    // The bound the job must end within, start-up of two .NET processes included (seconds when the machine is quiet,
    // 10-20 s at a load average of 100 on 2 cores); the test kills it (and fails) past twice that. A hang never ends.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [MpiFact]
    public void ARankThatDies_EndsTheOthersWithANonZeroExit()
    {
        var run = Mpirun.Ranks(2, $"distributed --data {Mpirun.Data} --steps 300 --batch 64 --fail-rank 1 --fail-step 20 --fail-how exit", 2 * Bound);
        Assert.True(run.Elapsed < Bound, run.ToString());
        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("rank 1 dies at step 20", run.Error);
        // Rank 0 never reached the end of training.
        Assert.DoesNotContain("distributed: 2 ranks", run.Output);
    }

    [MpiFact]
    public void ARankThatHangs_MakesTheOthersGiveUpAfterTheTimeoutAndAbortTheJob()
    {
        var run = Mpirun.Ranks(2, $"distributed --data {Mpirun.Data} --steps 300 --batch 64 --fail-rank 1 --fail-step 20 --fail-how hang", 2 * Bound,
            (MpiSession.TimeoutVariable, "3"));
        Assert.True(run.Elapsed < Bound, run.ToString());
        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("rank 0 of 2: an allreduce got no answer from the other ranks in 3 s", run.Error);
        Assert.Contains("aborting every rank", run.Error);
    }
}
