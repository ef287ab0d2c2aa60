using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Dl.Package.Tests.Models;
using Xunit.Abstractions;

namespace Dl.Package.Tests;

/// <summary>
/// Zero reflection on the CPU path: Dl.Runtime and the code the generator writes are read as IL and must not touch
/// System.Reflection, runtime code generation or ILGPU. (The NativeAOT publish in AotInferenceTests is the other half:
/// zero trim and AOT warnings.)
/// </summary>
public class ReflectionFreeTests(ITestOutputHelper output)
{
    private static string RuntimeAssembly => typeof(ModelAttribute).Assembly.Location;

    [Fact]
    public void Dl_runtime_uses_no_reflection_or_code_generation()
    {
        var findings = ReflectionScanner.Scan(RuntimeAssembly);
        Assert.True(findings.Count == 0, "Dl.Runtime uses reflection:\n" + string.Join("\n", findings));
    }

    [Fact]
    public void Dl_runtime_is_marked_aot_compatible_and_trimmable()
    {
        var metadata = typeof(ModelAttribute).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        Assert.Equal("True", metadata.GetValueOrDefault("IsAotCompatible"));
        Assert.Equal("True", metadata.GetValueOrDefault("IsTrimmable"));
    }

    [Fact]
    public void Generated_models_use_no_reflection_or_code_generation()
    {
        // The generated members are really there (the scan is not vacuous).
        Assert.NotNull(typeof(ScanMlp).GetMethod(nameof(ScanMlp.TrainStep)));
        Assert.NotNull(typeof(ScanZoo).GetMethod(nameof(ScanZoo.InputGradient)));
        var findings = ReflectionScanner.Scan(typeof(ScanMlp).Assembly.Location, type => type.StartsWith("Dl.Package.Tests.Models.", StringComparison.Ordinal));
        Assert.True(findings.Count == 0, "generated code uses reflection:\n" + string.Join("\n", findings));
    }

    [Fact]
    public void Scanner_names_every_kind_of_offender_and_passes_clean_code()
    {
        var findings = ReflectionScanner.Scan(typeof(ScanMlp).Assembly.Location, type => type.StartsWith("Dl.Package.Tests.Offenders.", StringComparison.Ordinal));
        foreach (var f in findings) output.WriteLine(f.ToString());
        string[] offenders =
        {
            "UsesActivator", "LoadsTypeByName", "FindsAndInvokesMethod", "CompilesExpression", "EmitsCode", "HoldsMethodInfos", "MakesGenericType",
        };
        foreach (var name in offenders)
            Assert.Contains(findings, f => f.Method == "Dl.Package.Tests.Offenders.Offenders." + name);
        Assert.Contains(findings, f => f.Target == "System.Activator::CreateInstance");
        Assert.Contains(findings, f => f.Target == "System.Type::GetType");
        Assert.Contains(findings, f => f.Target.StartsWith("System.Reflection.Emit.DynamicMethod", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Target.StartsWith("System.Linq.Expressions.", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Target.Contains("<System.Reflection.MethodInfo>", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.Method.EndsWith(".Clean", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("System.Reflection.MethodInfo", true)]
    [InlineData("System.Reflection.Emit.ILGenerator", true)]
    [InlineData("System.Collections.Generic.List`1<System.Reflection.PropertyInfo>", true)]
    [InlineData("System.Activator", true)]
    [InlineData("ILGPU.Runtime.Accelerator", true)]
    [InlineData("System.Runtime.Intrinsics.Vector512`1<System.Single>", false)]
    [InlineData("System.Numerics.Tensors.TensorPrimitives", false)]
    [InlineData("MyCompany.System.Reflection.Helpers", false)]
    public void Denied_type_names(string name, bool denied) => Assert.Equal(denied, ReflectionScanner.IsDenied(name));
}
