// Classifies MNIST digits read row by row: 28 steps of 28 pixels through an LSTM (or GRU, RNN) (--help for the options).
return SequentialMnist.SequenceApp.Run(args, System.Console.Out, System.Console.Error);
