// MNIST inference with the generated MnistMlp; the same code runs under the JIT and as a NativeAOT binary (--help for the options).
return Inference.InferenceApp.Run(args, System.Console.Out, System.Console.Error);
