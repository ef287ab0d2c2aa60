// Trains the README's MLP on the MNIST digits in data/mnist and reports test accuracy (--help for the options).
return Mnist.MnistApp.Run(args, System.Console.Out, System.Console.Error);
