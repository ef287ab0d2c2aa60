// Trains a GAN on the MNIST digits in data/mnist and writes a PNG grid of generated digits per epoch (--help for the options).
return Gan.GanApp.Run(args, System.Console.Out, System.Console.Error);
