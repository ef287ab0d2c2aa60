namespace Dl.Samples.Tests;

/// <summary>
/// A bad option value ends in exit code 2 and one line naming the option, its range and what was given, before any
/// data is read (here no data folder even exists) and never with a stack trace.
/// </summary>
public class OptionTests
{
    [Theory]
    [InlineData("lenet", "--epochs must be an integer from 1 to 2147483647; got '0'", "--epochs", "0")]
    [InlineData("lenet", "--epochs must be an integer from 1 to 2147483647; got '-3'", "--epochs", "-3")]
    [InlineData("lenet", "--epochs must be an integer from 1 to 2147483647; got 'five'", "--epochs", "five")]
    [InlineData("lenet", "--batch must be an integer from 1 to 2147483647; got '0'", "--batch", "0")]
    [InlineData("lenet", "--batch must be an integer from 1 to 2147483647; got '-32'", "--batch", "-32")]
    [InlineData("lenet", "--batch must be an integer from 1 to 2147483647; got '99999999999'", "--batch", "99999999999")]
    [InlineData("lenet", "--lr must be a number in (0, inf]; got '0'", "--lr", "0")]
    [InlineData("lenet", "--lr must be a number in (0, inf]; got 'NaN'", "--lr", "NaN")]
    [InlineData("lenet", "--lr must be a number in (0, inf]; got '1e39'", "--lr", "1e39")]
    [InlineData("lenet", "--momentum must be a number in [0, 1); got '1'", "--momentum", "1")]
    [InlineData("lenet", "--weight-decay must be a number in [0, inf]; got '-1'", "--weight-decay", "-1")]
    [InlineData("lenet", "--shift must be an integer from 0 to 27; got '28'", "--shift", "28")]
    [InlineData("lenet", "--shift must be an integer from 0 to 27; got '2147483647'", "--shift", "2147483647")]
    [InlineData("lenet", "--seed must be an integer from -2147483648 to 2147483647; got '1.5'", "--seed", "1.5")]
    [InlineData("lenet", "Unrecognized command or argument '--learning-rate'", "--learning-rate", "0.1")]
    [InlineData("lenet", "Required argument missing for option: '--data'", "--data")]
    [InlineData("lenet", "--data needs a DIR; got ''", "--data", "")]
    [InlineData("lenet", "Option '--epochs' expects a single argument but 2 were provided", "--epochs", "1", "--epochs", "2")]
    [InlineData("adversarial", "--epochs must be an integer from 1 to 2147483647; got '0'", "--epochs", "0")]
    [InlineData("adversarial", "--epochs must be an integer from 1 to 2147483647; got '-1'", "--epochs", "-1")]
    [InlineData("adversarial", "--seed must be an integer from -2147483648 to 2147483647; got 'one'", "--seed", "one")]
    [InlineData("adversarial", "Unrecognized command or argument '--batch'", "--batch", "32")]
    [InlineData("inference", "--epochs must be an integer from 1 to 10000; got '0'", "--train", "--epochs", "0")]
    [InlineData("inference", "--repeat must be an integer from 0 to 1000; got '-1'", "--repeat", "-1")]
    [InlineData("inference", "--repeat must be an integer from 0 to 1000; got '2147483647'", "--repeat", "2147483647")]
    [InlineData("inference", "--weights needs a PATH; got ''", "--weights", "")]
    [InlineData("inference", "Unrecognized command or argument 'train'", "train")]
    [InlineData("sequential-mnist", "--cell must be one of lstm, gru, rnn; got 'lstm2'", "--cell", "lstm2")]
    [InlineData("sequential-mnist", "--cell must be one of lstm, gru, rnn; got 'LSTM'", "--cell", "LSTM")]
    [InlineData("sequential-mnist", "--layers must be an integer from 1 to 2; got '3'", "--layers", "3")]
    [InlineData("sequential-mnist", "--clip must be a number in [0, inf]; got '-1'", "--clip", "-1")]
    [InlineData("sequential-mnist", "--plot needs a FILE; got ''", "--plot", "")]
    [InlineData("charrnn", "--temperature must be a number in (0, 10]; got '0'", "--temperature", "0")]
    [InlineData("charrnn", "--batch must be an integer from 1 to 4096; got '0'", "--batch", "0")]
    [InlineData("charrnn", "--text needs a FILE; got ''", "--text", "")]
    [InlineData("charrnn", "--sample must be an integer from 0 to 100000; got '-1'", "--sample", "-1")]
    [InlineData("transfer", "--per-class must be an integer from 1 to 2147483647; got '0'", "--per-class", "0")]
    [InlineData("transfer", "--pretrain-epochs must be an integer from 1 to 2147483647; got '0'", "--pretrain-epochs", "0")]
    [InlineData("transfer", "--out needs a DIR; got ''", "--out", "")]
    [InlineData("autoencoder", "--model must be one of both, denoise, vae; got 'gan'", "--model", "gan")]
    [InlineData("autoencoder", "--noise must be a number in [0, 10]; got '-0.1'", "--noise", "-0.1")]
    [InlineData("autoencoder", "--show must be an integer from 1 to 100; got '101'", "--show", "101")]
    [InlineData("autoencoder", "--vae-epochs must be an integer from 1 to 2147483647; got '0'", "--vae-epochs", "0")]
    public void A_bad_option_is_one_line_naming_it(string sample, string message, params string[] args)
    {
        var run = SampleRun.Of(sample, args);

        run.FailedWith(2, message);
        Assert.Equal("", run.Output);
    }

    // 2,739,138 x 784 overflows an int: the old sample died allocating its batch buffer. A batch can be no larger than
    // the training set, which is checked once the data is read.
    [Theory]
    [InlineData("2739138")]
    [InlineData("2147483647")]
    public void A_batch_larger_than_the_training_digits_is_refused(string batch)
    {
        using var dir = new TempFolder();
        string data = TestDigits.WriteGood(dir.File("data"));

        var run = SampleRun.Of("lenet", "--batch", batch, "--epochs", "1", "--data", data);

        run.FailedWith(2, $"--batch {batch} is more than the {TestDigits.TrainCount} training digits in {data}");
    }
}
