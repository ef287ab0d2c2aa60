using System;
using System.Collections.Generic;
using System.Linq;
using Dl.Graph;

namespace Dl.Compiler;

/// <summary>
/// The comment headers that split an entry point's kernel calls into sections: <c>// forward</c>
/// (what the output depends on), <c>// loss</c> (the rest of what the loss depends on),
/// <c>// backward</c> (the gradients) and <c>// running averages</c> (batch norm's state updates).
/// A header is written where the section changes, so a plan that computes a gradient of the
/// upstream input before the forward pass (Backward) shows that order as it is. The GPU's run methods use the same headers.
/// </summary>
public static partial class CpuEmitter
{
    /// <summary>
    /// The section of each kernel of <paramref name="e"/>, whose forward output is <paramref name="output"/>
    /// (null: none) and loss <paramref name="loss"/> (null: none); <paramref name="backward"/> says
    /// whether it computes gradients.
    /// </summary>
    internal static Func<Kernel, string> Sections(Node? output, Node? loss, bool backward)
    {
        var forward = output is null ? new HashSet<Node>() : new HashSet<Node>(GraphBuilder.Topological(new[] { output }));
        var lossPart = loss is null ? new HashSet<Node>() : new HashSet<Node>(GraphBuilder.Topological(new[] { loss }));
        // An objective whose loss does not go through the model's output (a GAN's discriminator on real
        // data) computes its forward pass and its loss in one: no line between them to draw.
        string lossName = loss is not null && output is not null && !lossPart.Contains(output) ? "forward and loss" : "loss";
        return k =>
        {
            if (k is StateUpdateKernel) return "running averages";
            var writes = k.Writes.Count > 0 ? k.Writes : k.Fused;
            if (writes.Any(forward.Contains)) return "forward";
            if (writes.Any(lossPart.Contains)) return lossName;
            return backward ? "backward" : "forward";
        };
    }
}
