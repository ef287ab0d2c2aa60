namespace Dl.Graph;

public sealed partial class GraphBuilder
{
    /// <summary>
    /// KL(N(mu, exp(logVar)) ‖ N(0, 1)) of a diagonal Gaussian, a VAE's regulariser, with the PyTorch VAE
    /// example's convention: -½·Σ(1 + logVar - mu² - exp(logVar)) summed over every axis but the first and
    /// averaged over the first (the batch), i.e. the whole sum divided by the first axis's size. A composition of
    /// elementwise ops and one sum, so it fuses into a single loop and its gradient (mu, and ½·(exp(logVar) - 1)
    /// per sample) comes from those ops' VJPs.
    /// </summary>
    public Node KlDivergence(Node mu, Node logVar)
    {
        foreach (var (x, what) in new[] { (mu, "mu"), (logVar, "logVar") })
            if (x.Type != DType.Float32)
                throw new ShapeException(ShapeErrorKind.WrongType, $"KlDivergence: {what} must be a float tensor, got integers of shape {x.Shape}");
        if (!mu.Shape.Equals(logVar.Shape))
            throw new ShapeException(ShapeErrorKind.Mismatch, $"KlDivergence: mu {mu.Shape} and logVar {logVar.Shape} must have the same shape");
        if (mu.Shape.Rank == 0)
            throw new ShapeException(ShapeErrorKind.BadArgument, "KlDivergence: mu and logVar need a batch axis (rank 1 or more), got scalars");
        var terms = Sub(Sub(Add(Constant(1), logVar), Mul(mu, mu)), Exp(logVar));
        var first = mu.Shape[0];
        return first.IsBatch ? Scale(Sum(terms), -0.5, -1) : Scale(Sum(terms), -0.5 / first.Size);
    }
}
