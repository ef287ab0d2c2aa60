using System.Linq;
using CharRnn;

namespace Dl.Samples.Tests;

/// <summary>The stateful character model's batches: row n of each call continues row n of the call before.</summary>
public class CharRnnWindowsTests
{
    private const int W = CharLstm.Window;

    [Fact]
    public void Each_row_continues_its_stream_and_the_next_characters_are_shifted_by_one()
    {
        var tokens = Enumerable.Range(0, 3 * (5 * W + 7)).ToArray();   // three streams of 5 windows and a bit
        var windows = new Windows(tokens, 3, seed: 4);
        Assert.Equal(5 * W + 7, windows.StreamLength);
        var chars = new int[3 * W];
        var next = new int[3 * W];
        for (int epoch = 0; epoch < 4; epoch++)
        {
            windows.NewOffset();
            Assert.Equal(5, windows.Count);   // the offset never costs a window
            int? start = null;
            for (int k = 0; k < windows.Count; k++)
            {
                windows.Gather(k, chars, next);
                for (int n = 0; n < 3; n++)
                {
                    int first = chars[n * W];
                    start ??= first;
                    Assert.Equal(n * windows.StreamLength + (start.Value) + k * W, first);   // stream n, window k
                    for (int t = 0; t < W; t++)
                    {
                        Assert.Equal(first + t, chars[n * W + t]);
                        Assert.Equal(first + t + 1, next[n * W + t]);
                    }
                }
            }
        }
    }
}
