using System;
using System.CommandLine;
using System.Globalization;
using System.IO;

namespace Samples;

/// <summary>
/// The part of the LeNet, Adversarial and Inference samples' command lines that is the same for all three: parse the
/// options (System.CommandLine: generated --help, one kind of error message), then run, and turn every failure into
/// one line on stderr and a non-zero exit code. Nothing the user can do prints a stack trace.
/// </summary>
internal static class SampleHost
{
    /// <summary>Exit code of a failed run: a missing or malformed file, an unwritable output.</summary>
    public const int Failure = 1;

    /// <summary>Exit code of a command-line mistake: an unknown option, a value out of range.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code of a bug in the sample (an exception no input should cause), still reported on one line.</summary>
    public const int InternalError = 70;

    /// <summary>
    /// Parses <paramref name="args"/> with <paramref name="command"/>: --help (and --version) print to
    /// <paramref name="output"/>; a parse or validation error prints its first message; otherwise runs
    /// <paramref name="run"/> and returns its exit code. Every message on <paramref name="error"/> is one line
    /// starting "<paramref name="name"/>: ".
    /// </summary>
    public static int Run(string name, RootCommand command, string[] args, TextWriter output, TextWriter error, Func<ParseResult, int> run)
    {
        var culture = CultureInfo.CurrentCulture;
        // Numbers are read and printed the same way on every machine: "0.01", never "0,01".
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            command.HelpName = name;
            var parsed = command.Parse(args);
            if (parsed.Errors.Count > 0)
                return Fail(error, name, parsed.Errors[0].Message + " (--help lists the options)", UsageError);
            if (parsed.Action is not null)
                return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
            return run(parsed);
        }
        catch (SampleException e)
        {
            return Fail(error, name, e.Message, e.ExitCode);
        }
        // Missing, unreadable or malformed files (a CheckpointException is an IOException; InvalidDataException,
        // which every data loader throws for bad content, is not), and output that cannot be written.
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Fail(error, name, e.Message, Failure);
        }
        // A loss that turned NaN or infinite: the message names epoch, step and what to try.
        catch (Dl.Training.DivergenceException e)
        {
            return Fail(error, name, e.Message, Failure);
        }
        catch (Exception e)
        {
            return Fail(error, name, $"internal error, please report it: {e.GetType().Name}: {e.Message}", InternalError);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    private static int Fail(TextWriter error, string name, string message, int exitCode)
    {
        try
        {
            error.WriteLine($"{name}: {message.ReplaceLineEndings(" ")}");
        }
        catch (IOException)
        {
            // stderr itself is gone: the exit code is all that is left to say it.
        }
        return exitCode;
    }
}
