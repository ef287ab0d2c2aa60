namespace Dl;

/// <summary>
/// A generated model with stateful recurrent layers (<c>new Lstm(..., stateful: true)</c>): each call
/// starts from the final hidden (and cell) states the previous call left, the way a language model
/// reads a text window by window, with no gradient into them (truncated backpropagation through
/// time). A call whose batch size differs from the previous call's starts from zeros. The carried
/// states are not parameters and are not saved by checkpoints.
/// </summary>
public interface ICarriedStateModel
{
    /// <summary>Zeroes the carried states: the next call starts from zeros (call it at each new text or epoch).</summary>
    void ResetState();
}
