using System.CommandLine;
using Samples;

namespace SequentialMnist;

/// <summary>
/// Command-line options. The defaults (Adam at 2e-3 decaying along a cosine, gradients clipped to norm 1,
/// batch 64) are the settings the README's figures come from; see there for what they reach.
/// </summary>
internal sealed record Options(string Cell, int Layers, bool Bidirectional, int Epochs, int Batch, float LearningRate, float Clip,
    int Shift, int Seed, string? DataDir, string? Plot)
{
    private static readonly Option<string> CellOption = SampleOptions.Choice("--cell", "lstm", new[] { "lstm", "gru", "rnn" }, "Recurrent cell");
    private static readonly Option<int> LayersOption = SampleOptions.Integer("--layers", 1, 1, 2, "Stacked recurrent layers");
    private static readonly Option<bool> BidirectionalOption = new("--bidirectional") { Description = "Read each digit's rows downwards and upwards" };
    private static readonly Option<int> EpochsOption = SampleOptions.Integer("--epochs", 12, 1, int.MaxValue, "Epochs to train");
    private static readonly Option<int> BatchOption = SampleOptions.Integer("--batch", 64, 1, int.MaxValue, "Digits per step (at most the training digits)");
    private static readonly Option<float> RateOption = SampleOptions.Number("--lr", 2e-3f, 0, float.PositiveInfinity,
        "Peak learning rate of Adam's cosine decay", minExclusive: true);
    // Recurrent nets meet the odd huge gradient (a long product of Jacobians); clipping the global norm keeps one such batch from undoing an epoch.
    private static readonly Option<float> ClipOption = SampleOptions.Number("--clip", 1f, 0, float.PositiveInfinity, "Clip the gradients' global norm to this; 0 for no clipping");
    // A shift of 28 or more moves every digit out of its 28x28 frame.
    private static readonly Option<int> ShiftOption = SampleOptions.Integer("--shift", 1, 0, 27, "Pixels of random shift per training image; 0 for none");
    private static readonly Option<int> SeedOption = SampleOptions.Integer("--seed", 1, int.MinValue, int.MaxValue, "Fixes initialisation and data order");
    private static readonly Option<string> DataOption = SampleOptions.Path("--data", "DIR",
        "Folder with the MNIST IDX files (default: data/mnist in this folder, a parent or beside the executable)");
    private static readonly Option<string> PlotOption = SampleOptions.Path("--plot", "FILE", "Where to write the learning curves (PNG)", "sequential-mnist.png");

    public static RootCommand Command() => new("Classifies MNIST digits read row by row (28 steps of 28 pixels) with an LSTM, GRU or RNN.")
    {
        CellOption, LayersOption, BidirectionalOption, EpochsOption, BatchOption, RateOption, ClipOption, ShiftOption, SeedOption, DataOption, PlotOption,
    };

    public static Options Read(ParseResult parsed) => new(
        parsed.GetValue(CellOption)!, parsed.GetValue(LayersOption), parsed.GetValue(BidirectionalOption), parsed.GetValue(EpochsOption),
        parsed.GetValue(BatchOption), parsed.GetValue(RateOption), parsed.GetValue(ClipOption), parsed.GetValue(ShiftOption), parsed.GetValue(SeedOption),
        parsed.GetValue(DataOption), parsed.GetValue(PlotOption));

    /// <summary>The figures' stem: sequential_mnist_lstm, sequential_mnist_gru2_bi, ...</summary>
    public string FigureStem => $"sequential_mnist_{Cell}{(Layers > 1 ? Layers.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}{(Bidirectional ? "_bi" : "")}";
}
