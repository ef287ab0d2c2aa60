// Transfer learning on MNIST: LeNet-5's convolutions learnt on the digits 0-4, frozen, under a new head for 5-9 (--help for the options).
return Transfer.TransferApp.Run(args, System.Console.Out, System.Console.Error);
