using System;
using System.Threading;

namespace Dl.Runtime.Tests;

/// <summary>The guard every generated entry point opens (<see cref="ModelEntry"/>), on an owner field of its own.</summary>
public class ModelEntryTests
{
    private int _owner;

    [Fact]
    public void A_second_thread_entering_while_the_first_is_inside_throws_naming_the_model()
    {
        using var inside = new ManualResetEventSlim();
        using var leave = new ManualResetEventSlim();
        var first = new Thread(() =>
        {
            using var entry = ModelEntry.Enter(ref _owner, "Mnist.MnistMlp");
            inside.Set();
            leave.Wait();
        });
        first.Start();
        inside.Wait();
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() => { using var entry = ModelEntry.Enter(ref _owner, "Mnist.MnistMlp"); });
            Assert.Contains("Mnist.MnistMlp", e.Message);
            Assert.Contains("another thread", e.Message);
            Assert.Equal(first.ManagedThreadId, Volatile.Read(ref _owner));   // the refused call took nothing
        }
        finally
        {
            leave.Set();
            first.Join();
        }
        Assert.Equal(0, _owner);
        using (ModelEntry.Enter(ref _owner, "Mnist.MnistMlp")) Assert.Equal(Environment.CurrentManagedThreadId, _owner);
        Assert.Equal(0, _owner);
    }

    [Fact]
    public void A_nested_entry_on_the_same_thread_passes_and_only_the_outermost_releases()
    {
        using (ModelEntry.Enter(ref _owner, "M"))
        {
            using (ModelEntry.Enter(ref _owner, "M"))
                Assert.Equal(Environment.CurrentManagedThreadId, _owner);
            Assert.Equal(Environment.CurrentManagedThreadId, _owner);   // still inside the outer call
        }
        Assert.Equal(0, _owner);
    }

    [Fact]
    public void An_exception_inside_releases_the_model()
    {
        Action failing = () =>
        {
            using var entry = ModelEntry.Enter(ref _owner, "M");
            throw new ArgumentException("a bad batch");
        };
        Assert.Throws<ArgumentException>(failing);
        Assert.Equal(0, _owner);
        var other = new Thread(() => { using var entry = ModelEntry.Enter(ref _owner, "M"); });
        other.Start();
        other.Join();
        Assert.Equal(0, _owner);
    }
}
