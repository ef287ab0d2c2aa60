using System;
using System.Collections.Immutable;
using System.Linq;
using Dl.SourceGen.Spec;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dl.SourceGen.Reading;

internal sealed partial class Interpreter
{
    /// <summary>
    /// Evaluates an expression. A diagnostic raised inside it is reported here and the result is
    /// poisoned, so the rest of the method is still read (more errors found per build) without cascades.
    /// </summary>
    public Value Eval(IOperation operation, Frame frame)
    {
        // Expressions nested thousands deep (x.Relu().Relu()...) recurse here: stop cleanly (DL0018), never overflow the stack.
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        try
        {
            return EvalCore(operation, frame);
        }
        catch (ReadException e)
        {
            var diagnostic = e.Diagnostic;
            if (_loopCondition is not null && diagnostic.Id == DiagnosticDescriptors.NotConstant.Id)
                diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.NonConstantLoopBound, LocationInfo.From(_loopCondition), _loopCondition.ToString());
            if (frame.CallSite is { } callSite)
                diagnostic = diagnostic with { AdditionalLocations = new[] { callSite }.ToEquatableArray() };
            Report(diagnostic);
            return PoisonValue.Instance;
        }
        catch (PoisonedException)
        {
            return PoisonValue.Instance;
        }
    }

    private Value EvalCore(IOperation op, Frame f)
    {
        if (op.ConstantValue.HasValue) return new ConstValue(op.ConstantValue.Value, op.Type);
        switch (op)
        {
            case IConversionOperation c: return Convert(c, f);
            case IParenthesizedOperation p: return Eval(p.Operand, f);
            case ILocalReferenceOperation l: return f.Variables.TryGetValue(l.Local, out var local) ? local : PoisonValue.Instance;
            case IParameterReferenceOperation p: return Parameter(p, f);
            case IInstanceReferenceOperation: return f.Self;
            case IFieldReferenceOperation field: return Field(field, f);
            case IPropertyReferenceOperation property: return Property(property, f);
            case IBinaryOperation b:
                return Binary(b.OperatorKind, b.OperatorMethod, Eval(b.LeftOperand, f), Eval(b.RightOperand, f), b.LeftOperand, b.RightOperand, b, f);
            case IUnaryOperation u: return Unary(u, f);
            case ISimpleAssignmentOperation a: return Assign(a.Target, Eval(a.Value, f), f);
            case ITupleOperation tuple: return Tuple(tuple, f);
            case IDeconstructionAssignmentOperation deconstruction: return Deconstruct(deconstruction, f);
            case ICompoundAssignmentOperation ca:
                return Assign(ca.Target, Binary(ca.OperatorKind, ca.OperatorMethod, Eval(ca.Target, f), Eval(ca.Value, f), ca.Target, ca.Value, ca, f), f);
            case IIncrementOrDecrementOperation inc: return Increment(inc, f);
            case IInvocationOperation invocation: return Invoke(invocation, f);
            case IObjectCreationOperation creation:
                return f.FieldPath is { } path ? Create(creation, f, path)
                    : throw Unsupported(creation.Syntax, "creating an object in Forward or Loss (declare layers and parameters as fields)");
            case IConditionalOperation conditional:
                var branch = ConstantCondition(conditional.Condition, f, "a conditional in a model picks its branch at build time") is { } taken
                    ? (taken ? conditional.WhenTrue : conditional.WhenFalse)
                    : throw new PoisonedException();
                return branch is null ? PoisonValue.Instance : Eval(branch, f);
            case IArrayCreationOperation { Initializer: { } initializer }:
                return NewArray(initializer.ElementValues.Select(e => Eval(e, f)).ToList());
            case IArrayCreationOperation { IsImplicit: true, DimensionSizes: [{ ConstantValue: { HasValue: true, Value: 0 } }] }:
                return NewArray(Array.Empty<Value>()); // an omitted params argument
            case IArrayCreationOperation { DimensionSizes: [var size] } creation:
                return EmptyArray(creation, size, f);
            case IArrayElementReferenceOperation element:
                return Element(element, f);
            case ICollectionExpressionOperation collection when collection.Elements.All(e => e is not ISpreadOperation):
                return NewArray(collection.Elements.Select(e => Eval(e, f)).ToList());
            case IInvalidOperation:
                throw new CompileErrorException();
            default:
                throw Unsupported(op.Syntax, DescribeExpression(op));
        }
    }

    private Value Convert(IConversionOperation conversion, Frame f)
    {
        if (conversion.OperatorMethod is { } method)
            throw Error(DiagnosticDescriptors.UnknownCall, conversion.Syntax, method.ToDisplayString(), "");
        var value = Eval(conversion.Operand, f);
        if (value is ConstValue c && conversion.Type is { } type && (ConstantEvaluator.IsNumeric(c.Constant) || c.Constant is bool))
        {
            try { return new ConstValue(ConstantEvaluator.Convert(c.Constant, type) ?? c.Constant, type); }
            catch (ConstantArithmeticException e) { throw ArithmeticError(conversion.Syntax, e); }
        }
        return value;
    }

    private Value Parameter(IParameterReferenceOperation reference, Frame f)
    {
        if (f.Variables.TryGetValue(reference.Parameter, out var value)) return value;
        if (reference.Parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor }
            && f.Self.ConstructorArguments.TryGetValue(reference.Parameter.Name, out value))
            return value;
        throw Error(DiagnosticDescriptors.NotConstant, reference.Syntax, reference.Parameter.Name,
            "only the primary-constructor parameters of a [Layer] are bound (to the arguments at its 'new')");
    }

    private Value Field(IFieldReferenceOperation reference, Frame f)
    {
        if (reference.Instance is null)
            throw Error(DiagnosticDescriptors.NotConstant, reference.Syntax, reference.Syntax.ToString(), "static fields are read at run time; use const");
        return Eval(reference.Instance, f) switch
        {
            InstanceValue instance => FieldValue(instance, reference.Field, reference.Syntax),
            TupleValue tuple => TupleElement(tuple, reference),
            PoisonValue => throw new PoisonedException(),
            var other => throw Unsupported(reference.Syntax, $"the field '{reference.Field.Name}' of {Describe(other)}"),
        };
    }

    private Value Property(IPropertyReferenceOperation reference, Frame f)
    {
        var instance = reference.Instance is null ? null : Eval(reference.Instance, f);
        if (instance is PoisonValue) throw new PoisonedException();
        if (instance is ArrayValue array && reference.Property.Name is "Length")
            return new ConstValue(array.Items.Count, reference.Type);
        if (instance is DenseValue dense)
        {
            switch (reference.Property.Name)
            {
                case "Inputs": return new ConstValue(dense.Inputs, reference.Type);
                case "Outputs": return new ConstValue(dense.Outputs, reference.Type);
                case "Bias": return new ConstValue(dense.Bias, reference.Type);
            }
        }
        if (reference.Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Boolean)
            throw Error(DiagnosticDescriptors.NotConstant, reference.Syntax, reference.Syntax.ToString(), "properties are read at run time; use a const or readonly field");
        throw Unsupported(reference.Syntax, $"the property '{reference.Property.Name}' (use a field or a method)");
    }

    private Value Binary(BinaryOperatorKind kind, IMethodSymbol? method, Value left, Value right, IOperation leftOp, IOperation rightOp, IOperation at, Frame f)
    {
        if (method is not null)
        {
            if (!KnownTypes.Is(method.ContainingType, Types.Tensor))
                throw Error(DiagnosticDescriptors.UnknownCall, at.Syntax, method.ToDisplayString(), "");
            string symbol = kind switch
            {
                BinaryOperatorKind.Add => "+",
                BinaryOperatorKind.Subtract => "-",
                BinaryOperatorKind.Multiply => "*",
                BinaryOperatorKind.Divide => "/",
                _ => "",
            };
            var entry = Dl.Graph.OpTable.Find(Dl.Graph.OpSurface.Operator, symbol, arity: 2)
                ?? throw Error(DiagnosticDescriptors.UnknownCall, at.Syntax, method.ToDisplayString(), "");
            int a = TensorOf(left, leftOp.Syntax, f), b = TensorOf(right, rightOp.Syntax, f);
            return Emit(entry.Name, at.Syntax, f, new[] { a, b });
        }
        if (left is PoisonValue || right is PoisonValue) return PoisonValue.Instance;
        if (left is ConstValue l && right is ConstValue r)
        {
            try { return new ConstValue(ConstantEvaluator.Binary(kind, l.Constant, r.Constant, at.Type), at.Type); }
            catch (ConstantArithmeticException e) { throw ArithmeticError(at.Syntax, e); }
            catch (InvalidOperationException e) { throw Unsupported(at.Syntax, e.Message); }
        }
        throw Unsupported(at.Syntax, $"the operator in '{at.Syntax}' on {Describe(left)} and {Describe(right)}");
    }

    private Value Unary(IUnaryOperation unary, Frame f)
    {
        var operand = Eval(unary.Operand, f);
        if (unary.OperatorMethod is { } method)
        {
            if (!KnownTypes.Is(method.ContainingType, Types.Tensor) || unary.OperatorKind != UnaryOperatorKind.Minus)
                throw Error(DiagnosticDescriptors.UnknownCall, unary.Syntax, method.ToDisplayString(), "");
            return Emit(Dl.Graph.OpTable.Neg, unary.Syntax, f, new[] { TensorOf(operand, unary.Operand.Syntax, f) });
        }
        if (operand is PoisonValue) return operand;
        if (operand is ConstValue c)
        {
            try { return new ConstValue(ConstantEvaluator.Unary(unary.OperatorKind, c.Constant, unary.Type), unary.Type); }
            catch (ConstantArithmeticException e) { throw ArithmeticError(unary.Syntax, e); }
            catch (InvalidOperationException e) { throw Unsupported(unary.Syntax, e.Message); }
        }
        throw Unsupported(unary.Syntax, $"the operator in '{unary.Syntax}' on {Describe(operand)}");
    }

    private Value Assign(IOperation target, Value value, Frame f)
    {
        switch (target)
        {
            case ILocalReferenceOperation l: f.Variables[l.Local] = value; return value;
            case IParameterReferenceOperation p: f.Variables[p.Parameter] = value; return value;
            case IFieldReferenceOperation field:
                throw Unsupported(target.Syntax, $"assigning to the field '{field.Field.Name}' (model code may not change fields)");
            case IArrayElementReferenceOperation element:
                SetElement(element, value, f);
                return value;
            default:
                throw Unsupported(target.Syntax, $"assigning to '{target.Syntax}'");
        }
    }

    private Value Increment(IIncrementOrDecrementOperation inc, Frame f)
    {
        var before = Eval(inc.Target, f);
        if (before is PoisonValue) return before;
        if (before is not ConstValue { Constant: var c } || !ConstantEvaluator.IsNumeric(c))
            throw Unsupported(inc.Syntax, $"'{inc.Syntax}' on {Describe(before)}");
        var kind = inc.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract;
        ConstValue after;
        try { after = new ConstValue(ConstantEvaluator.Binary(kind, c, 1, inc.Type), inc.Type); }
        catch (ConstantArithmeticException e) { throw ArithmeticError(inc.Syntax, e); }
        Assign(inc.Target, after, f);
        return inc.IsPostfix ? before : after;
    }

    /// <summary>DL0023 at the expression whose build-time value overflows or divides by zero.</summary>
    private static ReadException ArithmeticError(SyntaxNode at, ConstantArithmeticException e) =>
        Error(DiagnosticDescriptors.ConstantArithmetic, at, FirstLine(at.ToString()), e.Message);

    private static string DescribeExpression(IOperation op) => op switch
    {
        IAnonymousFunctionOperation or IDelegateCreationOperation => "a lambda or delegate",
        IAwaitOperation => "await",
        IArrayElementReferenceOperation => $"indexing ('{op.Syntax}')",
        IInterpolatedStringOperation => "a string",
        ISwitchExpressionOperation => "a switch expression (use a conditional on a constant)",
        IIsPatternOperation or IIsTypeOperation => "a type or pattern test",
        ICoalesceOperation => "'??'",
        IConditionalAccessOperation => "'?.'",
        ITupleBinaryOperation => "comparing tuples",
        IThrowOperation => "throw",
        IDynamicInvocationOperation or IDynamicMemberReferenceOperation or IDynamicObjectCreationOperation => "dynamic",
        IArrayCreationOperation => "an array without an initializer",
        _ => $"the expression '{FirstLine(op.Syntax.ToString())}'",
    };
}
