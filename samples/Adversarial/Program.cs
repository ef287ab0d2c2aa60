// Fast-gradient-sign adversarial examples against LeNet-5 on MNIST (--help for the options).
return Adversarial.AdversarialApp.Run(args, System.Console.Out, System.Console.Error);
