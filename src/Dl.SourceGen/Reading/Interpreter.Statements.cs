using System.Collections.Generic;
using System.Linq;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

internal sealed partial class Interpreter
{
    /// <summary>The value a traced method returned and the expression it returned.</summary>
    public readonly record struct Returned(Value Value, SyntaxNode? At);

    /// <summary>Traces a method body in <paramref name="frame"/> (parameters already bound) and returns its result.</summary>
    public Returned Run(IMethodBodyOperation body, Frame frame)
    {
        var block = body.BlockBody ?? body.ExpressionBody;
        if (block is not null && Exec(block, frame, out var returned)) return returned;
        return new Returned(PoisonValue.Instance, null);
    }

    /// <summary>Executes one statement; true when it returned (the result in <paramref name="returned"/>).</summary>
    private bool Exec(IOperation statement, Frame frame, out Returned returned)
    {
        _cancellation.ThrowIfCancellationRequested();
        returned = default;
        switch (statement)
        {
            case IBlockOperation block:
                foreach (var s in block.Operations)
                    if (Exec(s, frame, out returned)) return true;
                return false;

            case IVariableDeclarationGroupOperation group:
                foreach (var declaration in group.Declarations)
                    foreach (var declarator in declaration.Declarators)
                    {
                        var initializer = declarator.Initializer?.Value ?? declaration.Initializer?.Value;
                        frame.Variables[declarator.Symbol] = initializer is null ? PoisonValue.Instance : Eval(initializer, frame);
                    }
                return false;

            case IExpressionStatementOperation expression:
                Eval(expression.Operation, frame);
                return false;

            case IReturnOperation { ReturnedValue: { } value }:
                returned = new Returned(Eval(value, frame), value.Syntax);
                return true;

            case IEmptyOperation:
                return false;

            case IConditionalOperation conditional:
                if (ConstantCondition(conditional.Condition, frame, "an if in a model picks its branch at build time") is not { } taken)
                    return false;
                var branch = taken ? conditional.WhenTrue : conditional.WhenFalse;
                return branch is not null && Exec(branch, frame, out returned);

            case IForLoopOperation loop:
                return ExecFor(loop, frame, out returned);

            case IInvalidOperation:
                throw new CompileErrorException();

            default:
                Report(DiagnosticDescriptors.UnsupportedConstruct, KeywordLocation(statement.Syntax), DescribeStatement(statement));
                return false;
        }
    }

    /// <summary>Unrolls a for loop whose condition is a build-time constant on every iteration.</summary>
    private bool ExecFor(IForLoopOperation loop, Frame frame, out Returned returned)
    {
        returned = default;
        foreach (var before in loop.Before)
            if (Exec(before, frame, out returned)) return true;
        // A long loop whose body is the same at every step becomes a loop node (Interpreter.Loops.cs).
        var plan = PlanLoop(loop, frame);
        var marks = new StepMark[3];
        for (int iteration = 0; ; iteration++)
        {
            if (plan is not null && iteration <= 2)
            {
                marks[iteration] = new StepMark(_ops.Count, Snapshot(frame), _writes.Count, _arrays);
                if (iteration == 2)
                {
                    if (TryLowerLoop(loop, frame, plan, marks))
                        return false;
                    plan = null;
                }
            }
            if (loop.Condition is not null)
            {
                var condition = EvalLoopCondition(loop.Condition, frame);
                if (condition is PoisonValue) return false;
                if (condition is not ConstValue { Constant: bool go })
                {
                    Report(DiagnosticDescriptors.NonConstantLoopBound, LocationInfo.From(loop.Condition.Syntax), loop.Condition.Syntax.ToString());
                    return false;
                }
                if (!go) return false;
            }
            if (iteration >= MaxUnroll)
            {
                Report(DiagnosticDescriptors.LoopTooLong, KeywordLocation(loop.Syntax), MaxUnroll.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return false;
            }
            _budget.Iteration(KeywordLocation(loop.Syntax), frame.CallSite);
            if (Exec(loop.Body, frame, out returned)) return true;
            foreach (var step in loop.AtLoopBottom)
                Eval(step is IExpressionStatementOperation e ? e.Operation : step, frame);
        }
    }

    /// <summary>Evaluates a loop condition; a non-constant anywhere inside it is reported as DL0005 at the condition.</summary>
    private Value EvalLoopCondition(IOperation condition, Frame frame)
    {
        var outer = _loopCondition;
        _loopCondition = condition.Syntax;
        try { return Eval(condition, frame); }
        finally { _loopCondition = outer; }
    }

    /// <summary>The loop condition being evaluated, if any (see <see cref="EvalLoopCondition"/>).</summary>
    private SyntaxNode? _loopCondition;

    /// <summary>An if/ternary condition: must be a build-time bool; null (already reported) when it is not.</summary>
    private bool? ConstantCondition(IOperation condition, Frame frame, string why)
    {
        var value = Eval(condition, frame);
        if (value is ConstValue { Constant: bool b }) return b;
        if (value is not PoisonValue)
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.NotConstant, LocationInfo.From(condition.Syntax), condition.Syntax.ToString(), why));
        return null;
    }

    private static string DescribeStatement(IOperation statement) => statement switch
    {
        IWhileLoopOperation => "a while or do loop (use a for loop with constant bounds; it is unrolled)",
        IForEachLoopOperation => "a foreach loop (use a for loop with constant bounds; it is unrolled)",
        IForToLoopOperation => "this loop (use a for loop with constant bounds)",
        IBranchOperation b => $"'{b.Syntax.ToString().TrimEnd(';')}' (model code runs straight through at build time)",
        ITryOperation => "try/catch/finally",
        IUsingOperation or IUsingDeclarationOperation => "a using statement",
        ILockOperation => "a lock statement",
        ISwitchOperation => "a switch statement (use an if on a constant)",
        ILocalFunctionOperation => "a local function (use a method of the model or layer class)",
        IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation } => "throw",
        IReturnOperation => "a return without a value",
        _ => $"the statement '{FirstLine(statement.Syntax.ToString())}'",
    };

    private static string FirstLine(string text)
    {
        var line = text.Split('\n').First().Trim();
        return line.Length > 60 ? line.Substring(0, 60) + "..." : line;
    }
}
