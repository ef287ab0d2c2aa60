// A convolutional denoising autoencoder and a variational autoencoder on MNIST, with PNG grids of what they draw (--help for the options).
return Autoencoder.AutoencoderApp.Run(args, System.Console.Out, System.Console.Error);
