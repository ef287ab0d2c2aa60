using System.Reflection;
using System.Threading;
using Dl.Models.Tests.Models;

namespace Dl.Models.Tests;

/// <summary>
/// One model used from two threads at once used to be destroyed silently (the calls share one arena
/// and one gradient array): now the second call throws, naming the model, and the first is untouched.
/// </summary>
public class ModelThreadGuardTests
{
    private const int Batch = 64;
    private static readonly float[] s_x = TestInputs.Floats(Batch * 784, 1);
    private static readonly int[] s_y = TestInputs.Labels(Batch, 10, 2);

    /// <summary>The managed id of the thread inside the model (the generated guard's field), 0 when none is.</summary>
    private static readonly FieldInfo s_owner = typeof(MnistMlp).GetField("__dl_owner", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance)
        ?? throw new InvalidOperationException("the generated MnistMlp has no __dl_owner field");

    private static int Owner(MnistMlp model) => (int)s_owner.GetValue(model)!;

    /// <summary>A started thread running <paramref name="call"/>; Join rethrows what it threw.</summary>
    private static Worker OnThread(Action call) => new(call);

    private sealed class Worker
    {
        private readonly Thread _thread;
        private Exception? _failure;

        public Worker(Action call)
        {
            _thread = new Thread(() =>
            {
                try { call(); }
                catch (Exception e) { _failure = e; }
            });
            _thread.Start();
        }

        public bool IsAlive => _thread.IsAlive;

        public void Join()
        {
            _thread.Join();
            if (_failure is not null) throw new Exception("the other thread failed", _failure);
        }
    }

    [Fact]
    public void A_model_held_by_another_thread_refuses_every_entry_point_naming_the_model()
    {
        var model = new MnistMlp(seed: 1);
        var before = model.Parameters.ToArray();
        using var inside = new ManualResetEventSlim();
        using var leave = new ManualResetEventSlim();
        // A thread that stays "inside" the model: it holds the guard's field as a call would.
        var holder = new Thread(() => { s_owner.SetValue(model, Environment.CurrentManagedThreadId); inside.Set(); leave.Wait(); });
        holder.Start();
        inside.Wait();
        try
        {
            foreach (var (name, call) in new (string, Action)[]
            {
                ("Predict", () => model.Predict(s_x)),
                ("Evaluate", () => model.Evaluate(s_x, s_y)),
                ("ComputeGradients", () => model.ComputeGradients(s_x, s_y)),
                ("TrainStep", () => model.TrainStep(s_x, s_y)),
            })
            {
                var e = Assert.Throws<InvalidOperationException>(call);
                Assert.True(e.Message.Contains("MnistMlp") && e.Message.Contains("another thread"), $"{name}: {e.Message}");
                Assert.Equal(holder.ManagedThreadId, Owner(model));
            }
            Assert.True(model.Parameters.SequenceEqual(before), "a refused TrainStep changed the parameters");
        }
        finally
        {
            leave.Set();
            holder.Join();
        }
        s_owner.SetValue(model, 0);
        model.TrainStep(s_x, s_y);
        Assert.Equal(0, Owner(model));
    }

    [Fact]
    public void A_model_entered_while_a_long_call_runs_on_another_thread_throws_and_that_call_is_unharmed()
    {
        // A batch of 2,048 trains for milliseconds; the test thread enters as soon as it sees the other inside.
        const int big = 2048;
        var x = TestInputs.Floats(big * 784, 3);
        var y = TestInputs.Labels(big, 10, 4);
        var serial = new MnistMlp(seed: 2) { LearningRate = 0.05f };
        var model = new MnistMlp(seed: 2) { LearningRate = 0.05f };
        var refusals = 0;
        for (int attempt = 0; attempt < 50 && refusals == 0; attempt++)
        {
            float expected = serial.TrainStep(x, y);
            float loss = float.NaN;
            var trainer = OnThread(() => loss = model.TrainStep(x, y));
            while (Owner(model) == 0 && trainer.IsAlive) Thread.SpinWait(10);
            try { model.Predict(s_x); }
            catch (InvalidOperationException e) when (e.Message.Contains("MnistMlp")) { refusals++; }
            trainer.Join();
            // Refused or not (the other call may have just ended), the training call saw nothing of it.
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(loss));
            Assert.True(model.Parameters.SequenceEqual(serial.Parameters), $"attempt {attempt}: parameters differ from the serial run's");
        }
        Assert.True(refusals > 0, "in 50 attempts no Predict came while a TrainStep of 2,048 samples ran on another thread");
    }

    [Fact]
    public void Calls_from_different_threads_one_after_another_work()
    {
        var serial = new MnistMlp(seed: 5) { LearningRate = 0.05f };
        var model = new MnistMlp(seed: 5) { LearningRate = 0.05f };
        for (int i = 0; i < 4; i++)
        {
            float expected = serial.TrainStep(s_x, s_y);
            float loss = 0;
            OnThread(() => loss = model.TrainStep(s_x, s_y)).Join();
            Assert.Equal(expected, loss);
        }
        Assert.True(model.Parameters.SequenceEqual(serial.Parameters));
        Assert.True(model.Predict(s_x).SequenceEqual(serial.Predict(s_x)));
        Assert.Equal(0, Owner(model));
    }

    [Fact]
    public void TrainStep_calls_ComputeGradients_inside_itself_and_releases_the_model_after()
    {
        var model = new MnistMlp(seed: 6);
        model.TrainStep(s_x, s_y);   // TrainStep enters, then ComputeGradients enters again on the same thread
        Assert.Equal(0, Owner(model));
        OnThread(() => model.TrainStep(s_x, s_y)).Join();
        Assert.Equal(0, Owner(model));
    }

    [Fact]
    public void An_exception_inside_an_entry_point_releases_the_model()
    {
        var model = new MnistMlp(seed: 7);
        Assert.Throws<ArgumentException>(() => model.Predict(new float[785]));
        Assert.Throws<ArgumentException>(() => model.TrainStep(s_x, new int[3]));
        Assert.ThrowsAny<ArgumentException>(() => model.TrainStep(s_x, Enumerable.Repeat(10, Batch).ToArray()));   // label out of range, found inside a kernel
        Assert.Equal(0, Owner(model));
        float loss = 0;
        OnThread(() => loss = model.Evaluate(s_x, s_y)).Join();
        Assert.True(loss > 0);
    }
}
