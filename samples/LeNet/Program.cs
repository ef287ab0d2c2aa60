// Trains LeNet-5 on the MNIST digits in data/mnist (8,000 train / 2,000 test) and reports test accuracy (--help for the options).
return LeNet.LeNetApp.Run(args, System.Console.Out, System.Console.Error);
