using System;
using System.Collections.Generic;

namespace Dl;

/// <summary>
/// A generated model with non-trainable state (batch norm's running averages): training updates
/// it, Predict reads it, and a checkpoint must save it with the parameters.
/// </summary>
public interface IStatefulModel
{
    /// <summary>All state in one array, laid out as <see cref="StateLayout"/>.</summary>
    Span<float> State { get; }

    /// <summary>Every state tensor's name (e.g. "norm.running_mean"), offset and shape in <see cref="State"/>.</summary>
    IReadOnlyList<ParameterInfo> StateLayout { get; }
}
