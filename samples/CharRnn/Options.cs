using System.CommandLine;
using Samples;

namespace CharRnn;

/// <summary>Command-line options. The defaults are the settings the README's figures come from.</summary>
internal sealed record Options(string? Text, int Limit, int Epochs, int Batch, float LearningRate, float Clip, int Seed,
    int SampleLength, float Temperature, string Prime, string? Plot)
{
    private static readonly Option<string> TextOption = SampleOptions.Path("--text", "FILE",
        "The text to learn (default: data/kjv-gospels-acts.txt beside the executable, the KJV Gospels and Acts)");
    private static readonly Option<int> LimitOption = SampleOptions.Integer("--limit", 0, 0, int.MaxValue, "Read only the first N characters; 0 for all");
    private static readonly Option<int> EpochsOption = SampleOptions.Integer("--epochs", 5, 1, int.MaxValue, "Passes over the training text");
    private static readonly Option<int> BatchOption = SampleOptions.Integer("--batch", 32, 1, 4096, $"Parallel streams of the text, one window of {CharLstm.Window} characters each per step");
    private static readonly Option<float> RateOption = SampleOptions.Number("--lr", 3e-3f, 0, float.PositiveInfinity,
        "Peak learning rate of Adam's cosine decay", minExclusive: true);
    // A language model's LSTM meets the odd exploding gradient; clipping the global norm keeps one batch from undoing the epoch.
    private static readonly Option<float> ClipOption = SampleOptions.Number("--clip", 1f, 0, float.PositiveInfinity, "Clip the gradients' global norm to this; 0 for no clipping");
    private static readonly Option<int> SeedOption = SampleOptions.Integer("--seed", 1, int.MinValue, int.MaxValue, "Fixes initialisation, window order and sampling");
    private static readonly Option<int> SampleOption = SampleOptions.Integer("--sample", 400, 0, 100_000, "Characters to write after training; 0 for none");
    // Below 1 the model's favourite characters win more often (safer, more repetitive text); above 1 it takes more risks.
    private static readonly Option<float> TemperatureOption = SampleOptions.Number("--temperature", 0.7f, 0, 10, "Sampling temperature", minExclusive: true);
    private static readonly Option<string> PrimeOption = new("--prime")
    {
        Description = "The text the sample starts from", HelpName = "TEXT", DefaultValueFactory = _ => "And Jesus said unto them, ",
    };
    private static readonly Option<string> PlotOption = SampleOptions.Path("--plot", "FILE", "Where to write the learning curves (PNG)", "charrnn.png");

    public static RootCommand Command() => new("Trains a character-level LSTM language model on a text, reports bits per character and writes sampled text.")
    {
        TextOption, LimitOption, EpochsOption, BatchOption, RateOption, ClipOption, SeedOption, SampleOption, TemperatureOption, PrimeOption, PlotOption,
    };

    public static Options Read(ParseResult parsed) => new(
        parsed.GetValue(TextOption), parsed.GetValue(LimitOption), parsed.GetValue(EpochsOption), parsed.GetValue(BatchOption),
        parsed.GetValue(RateOption), parsed.GetValue(ClipOption), parsed.GetValue(SeedOption), parsed.GetValue(SampleOption),
        parsed.GetValue(TemperatureOption), parsed.GetValue(PrimeOption) ?? "", parsed.GetValue(PlotOption));
}
