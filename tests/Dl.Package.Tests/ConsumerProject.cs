using System;
using System.IO;

namespace Dl.Package.Tests;

/// <summary>
/// A brand-new console project that uses DlCompiler only through the package, made with exactly the steps of
/// docs/using-dlcompiler.md ("Use it in your project"): dotnet new console, a nuget.config naming the local feed,
/// dotnet add package, a model class and a Program, EmitCompilerGeneratedFiles, dotnet build, dotnet run.
/// </summary>
public sealed class ConsumerProject
{
    public const string Name = "HelloDl";

    /// <summary>Step 4 of the guide: the model.</summary>
    public const string ModelSource = """
        using Dl;

        namespace HelloDl;

        /// <summary>Classifies points of the plane into three clusters: 2 -> 16 (ReLU) -> 3.</summary>
        [Model]
        public partial class Blobs
        {
            readonly Dense hidden = new(2, 16, Activation.Relu);
            readonly Dense output = new(16, 3);

            public Tensor Forward([Input(2)] Tensor point) => output.Forward(hidden.Forward(point));

            public Tensor Loss(Tensor logits, Labels label) => Nn.CrossEntropy(logits, label);
        }
        """;

    /// <summary>Step 4 of the guide: train a few steps, then predict.</summary>
    public const string ProgramSource = """
        using System.Numerics.Tensors;
        using HelloDl;

        // 96 points around three centres: (-2,0), (2,0) and (0,2).
        var random = new Random(1);
        const int n = 96;
        var points = new float[n * 2];
        var labels = new int[n];
        float[][] centres = [[-2f, 0f], [2f, 0f], [0f, 2f]];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 3;
            points[2 * i] = centres[labels[i]][0] + (float)(random.NextDouble() - 0.5);
            points[2 * i + 1] = centres[labels[i]][1] + (float)(random.NextDouble() - 0.5);
        }

        var model = new Blobs(seed: 1) { LearningRate = 0.1f };   // Blobs' constructor, TrainStep and Predict are generated
        float first = model.TrainStep(points, labels), last = first;
        for (int step = 1; step < 50; step++) last = model.TrainStep(points, labels);
        Console.WriteLine($"loss {first:F4} -> {last:F4}");

        ReadOnlySpan<float> logits = model.Predict(points);       // [n,3]: one row of class scores per point
        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            int best = TensorPrimitives.IndexOfMax(logits.Slice(3 * i, 3));
            if (best == labels[i]) correct++;
        }
        Console.WriteLine($"accuracy {100.0 * correct / n:F1} %");
        """;

    /// <summary>A model with a shape mistake: output expects 8 inputs, hidden gives 16.</summary>
    public const string BrokenSource = """
        using Dl;

        namespace HelloDl;

        [Model]
        public partial class Broken
        {
            readonly Dense hidden = new(2, 16, Activation.Relu);
            readonly Dense output = new(8, 3);

            public Tensor Forward([Input(2)] Tensor point) => output.Forward(hidden.Forward(point));
        }
        """;

    private ConsumerProject(string directory) => Directory = directory;

    /// <summary>The project folder.</summary>
    public string Directory { get; }

    public string ProjectFile => Path.Combine(Directory, Name + ".csproj");

    /// <summary>`dotnet build` of the project as the guide leaves it.</summary>
    public ProcessResult Build { get; private set; } = null!;

    /// <summary>`dotnet run --no-build` after a successful build, else null.</summary>
    public ProcessResult? Run { get; private set; }

    /// <summary>Where EmitCompilerGeneratedFiles writes the generated model (Debug, the default configuration).</summary>
    public string GeneratedFile => Path.Combine(Directory, "obj", "Debug", "net10.0", "generated", "Dl.SourceGen",
        "Dl.SourceGen.ModelGenerator", "HelloDl.Blobs.g.cs");

    public string OutputAssembly => Path.Combine(Directory, "bin", "Debug", "net10.0", Name + ".dll");

    internal static ConsumerProject Create(PackageFixture fixture)
    {
        string feed = Path.GetDirectoryName(fixture.PackagePath)!;   // packs first
        var env = fixture.ConsumerEnvironment;
        var limit = TimeSpan.FromMinutes(4);
        var project = new ConsumerProject(Path.Combine(fixture.Root, Name));

        // 1. A new console project.
        Dotnet.Run(fixture.Root, $"new console -o {Name}", limit, fixture.Log, env).ShouldSucceed();
        // 2. The local feed as a package source, beside nuget.org (for System.Numerics.Tensors).
        Dotnet.Run(project.Directory, "new nugetconfig", limit, fixture.Log, env).ShouldSucceed();
        Dotnet.Run(project.Directory, $"nuget add source \"{feed}\" --name dlcompiler-local --configfile nuget.config", limit, fixture.Log, env).ShouldSucceed();
        // 3. The package.
        Dotnet.Run(project.Directory, $"add package {PackageFixture.PackageId} --version {PackageFixture.PackageVersion}", limit, fixture.Log, env).ShouldSucceed();
        // 4. A model and a program that trains and predicts.
        File.WriteAllText(Path.Combine(project.Directory, "Blobs.cs"), ModelSource);
        File.WriteAllText(Path.Combine(project.Directory, "Program.cs"), ProgramSource);
        // 5. Keep the generated source on disk, to read it.
        string csproj = File.ReadAllText(project.ProjectFile);
        const string anchor = "</PropertyGroup>";
        int at = csproj.IndexOf(anchor, StringComparison.Ordinal);
        if (at < 0) throw new InvalidDataException($"{project.ProjectFile} has no PropertyGroup:\n{csproj}");
        File.WriteAllText(project.ProjectFile, csproj.Insert(at, "  <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>\n  "));
        // 6. Build and run.
        project.Build = Dotnet.Run(project.Directory, "build", limit, fixture.Log, env);
        if (project.Build.ExitCode == 0)
            project.Run = Dotnet.Run(project.Directory, "run --no-build", TimeSpan.FromMinutes(1), fixture.Log, env);
        return project;
    }

    /// <summary>Copies the project's own files (no bin/obj) to <paramref name="destination"/>.</summary>
    public void CopySourcesTo(string destination)
    {
        System.IO.Directory.CreateDirectory(destination);
        foreach (var file in System.IO.Directory.GetFiles(Directory))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
    }
}
