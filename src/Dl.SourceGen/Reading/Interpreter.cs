using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

/// <summary>
/// Traces model code at build time: walks the <see cref="IOperation"/> tree of Forward, Loss and the
/// layer methods they call, binding constants, unrolling loops and inlining layers, and records every
/// tensor operation as an <see cref="OpSpec"/> with the C# expression that made it. Anything outside
/// the supported subset becomes a diagnostic at its span (and poisons the value, to avoid cascades).
/// Partial files: statements, expressions, calls, instances (fields and layers).
/// </summary>
internal sealed partial class Interpreter
{
    /// <summary>Iterations one loop may unroll (DL0011); all loops together: <see cref="TraceBudget.MaxIterations"/>.</summary>
    public const int MaxUnroll = 4096;

    private readonly Compilation _compilation;
    private readonly SemanticModel _primaryModel;
    private readonly CancellationToken _cancellation;
    private readonly List<OpSpec> _ops = new();
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly HashSet<DiagnosticInfo> _reported = new();
    private readonly Dictionary<SyntaxTree, SemanticModel> _models = new();
    private readonly HashSet<SyntaxNode> _checkedForErrors = new();
    private readonly TraceBudget _budget;

    public Interpreter(SemanticModel model, CancellationToken cancellation)
    {
        _primaryModel = model;
        _compilation = model.Compilation;
        _cancellation = cancellation;
        _budget = new TraceBudget(cancellation);
        Types = new KnownTypes(_compilation);
    }

    public KnownTypes Types { get; }
    public Compilation Compilation => _compilation;
    public IReadOnlyList<OpSpec> Ops => _ops;
    public IReadOnlyList<DiagnosticInfo> Diagnostics => _diagnostics;

    public void Report(DiagnosticInfo diagnostic)
    {
        if (_reported.Add(diagnostic)) _diagnostics.Add(diagnostic);
    }

    public void Report(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        Report(DiagnosticInfo.Create(descriptor, location, arguments));

    public static ReadException Error(DiagnosticDescriptor descriptor, SyntaxNode at, params string[] arguments) =>
        new(DiagnosticInfo.Create(descriptor, LocationInfo.From(at), arguments));

    public static ReadException Unsupported(SyntaxNode at, string what) => Error(DiagnosticDescriptors.UnsupportedConstruct, at, what);

    // ---- ops ----

    /// <summary>Appends an op (a row of <see cref="Dl.Graph.OpTable"/>, by name) traced at <paramref name="at"/> in frame <paramref name="frame"/>; returns its tensor.</summary>
    public TensorValue Emit(string op, SyntaxNode at, Frame frame, int[] inputs, Func<OpSpec, OpSpec>? attributes = null)
    {
        var location = LocationInfo.From(at);
        _budget.Op(location, frame.CallSite);
        var spec = new OpSpec(op, inputs.ToEquatableArray(), location) { Context = frame.Context, CallSite = frame.CallSite };
        if (attributes is not null) spec = attributes(spec);
        _ops.Add(spec);
        return new TensorValue(_ops.Count - 1);
    }

    /// <summary>The op index of a value used as a tensor: tensors, parameters, and numbers (as constants).</summary>
    public int TensorOf(Value value, SyntaxNode at, Frame frame)
    {
        switch (value)
        {
            case TensorValue t: return t.Op;
            case ParamValue p:
                if (p.Op < 0)
                {
                    _budget.Op(p.Declaration, null);
                    _ops.Add(new OpSpec(Dl.Graph.OpTable.Param, EquatableArray<int>.Empty, p.Declaration)
                        { Name = p.Path, Ints = p.Shape.ToEquatableArray(), Option = p.Init });
                    p.Op = _ops.Count - 1;
                }
                return p.Op;
            case ConstValue { Constant: var c } when ConstantEvaluator.IsNumeric(c):
                return Emit(Dl.Graph.OpTable.Constant, at, frame, Array.Empty<int>(), o => o with { Number = ConstantEvaluator.ToDouble(c!) }).Op;
            case LoopStepValue step: return EmitLoopResult(step.Loop, LoopResultKind.Step, step.Output, step.Step, frame);
            case PoisonValue: throw new PoisonedException();
            default: throw Unsupported(at, $"'{at}' used as a tensor ({Describe(value)})");
        }
    }

    public int LabelsOf(Value value, SyntaxNode at) => value switch
    {
        LabelsValue l => l.Op,
        PoisonValue => throw new PoisonedException(),
        _ => throw Unsupported(at, $"'{at}' used as labels ({Describe(value)})"),
    };

    public static string Describe(Value value) => value switch
    {
        TensorValue => "a tensor",
        LabelsValue => "labels",
        ConstValue c => "the constant " + c,
        ArrayValue => "an array",
        UnsetValue => "an array element not written yet",
        LoopStepValue => "one step of a loop's output",
        TupleValue t => $"a tuple of {t.Items.Length}",
        DenseValue d => $"the Dense layer '{d.Path}'",
        ParamValue p => $"the parameter '{p.Path}'",
        InstanceValue i => i.Path.Length == 0 ? "the model" : $"the layer '{i.Path}'",
        _ => "a value",
    };

    // ---- syntax and semantic models ----

    public SemanticModel ModelFor(SyntaxTree tree)
    {
        if (tree == _primaryModel.SyntaxTree) return _primaryModel;
        if (!_models.TryGetValue(tree, out var model))
            _models[tree] = model = _compilation.GetSemanticModel(tree);
        return model;
    }

    /// <summary>Stops reading (silently) when the code about to be traced does not compile: the C# errors come first.</summary>
    public void CheckCompiles(SyntaxNode node)
    {
        if (!_checkedForErrors.Add(node)) return;
        _cancellation.ThrowIfCancellationRequested();
        foreach (var d in ModelFor(node.SyntaxTree).GetDiagnostics(node.Span, _cancellation))
            if (d.Severity == DiagnosticSeverity.Error && !d.IsWarningAsError)
                throw new CompileErrorException();
    }

    /// <summary>The operation tree of a method's body (block or expression), or null when it has no source body.</summary>
    public IMethodBodyOperation? BodyOf(IMethodSymbol method)
    {
        var m = method.PartialImplementationPart ?? method;
        foreach (var reference in m.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(_cancellation) is not MethodDeclarationSyntax syntax) continue;
            if (syntax.Body is null && syntax.ExpressionBody is null) continue;
            CheckCompiles(syntax);
            return ModelFor(syntax.SyntaxTree).GetOperation(syntax, _cancellation) as IMethodBodyOperation;
        }
        return null;
    }

    /// <summary>Where a statement is reported: its keyword (a squiggle under 'while', not the whole loop).</summary>
    public static LocationInfo KeywordLocation(SyntaxNode syntax) => syntax switch
    {
        LocalFunctionStatementSyntax f => LocationInfo.From(f.Identifier),
        StatementSyntax s when s is not ExpressionStatementSyntax and not LocalDeclarationStatementSyntax and not BlockSyntax
            => LocationInfo.From(s.GetFirstToken()),
        _ => LocationInfo.From(syntax),
    };
}

/// <summary>Thrown when a value that already has a diagnostic is used: nothing more to report.</summary>
internal sealed class PoisonedException : Exception { }
