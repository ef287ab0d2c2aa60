using System;
using System.Collections.Generic;
using System.Linq;

namespace Dl.Graph.Tests;

/// <summary>
/// The textbook equations of PyTorch's RNN, LSTM and GRU in plain loops over doubles, reading the
/// weights in PyTorch's layout ([G·H, in], gate blocks of H rows in the order i,f,g,o / r,z,n): an
/// independent reference for the layers' forward values (it shares no code with them).
/// </summary>
public static class RecurrentReference
{
    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>W·v + b for the rows [gate·H, (gate+1)·H) of a [rows, cols] weight.</summary>
    private static double[] Affine(double[] w, double[]? b, int cols, int gate, int h, double[] v)
    {
        var y = new double[h];
        for (int r = 0; r < h; r++)
        {
            int row = gate * h + r;
            double s = b is null ? 0 : b[row];
            for (int c = 0; c < cols; c++) s += w[row * cols + c] * v[c];
            y[r] = s;
        }
        return y;
    }

    /// <summary>One step of one sample: the new h (and c).</summary>
    public static (double[] H, double[] C) Step(RecurrentCell cell, Func<string, double[]?> p, int inputs, int h, double[] x, double[] hPrev, double[] cPrev)
    {
        double[] wih = p("weight_ih")!, whh = p("weight_hh")!;
        double[]? bih = p("bias_ih"), bhh = p("bias_hh");
        double[] Xg(int gate) => Affine(wih, bih, inputs, gate, h, x);
        double[] Hg(int gate) => Affine(whh, bhh, h, gate, h, hPrev);
        var hNext = new double[h];
        var cNext = new double[h];
        switch (cell)
        {
            case RecurrentCell.RnnTanh:
            case RecurrentCell.RnnRelu:
            {
                double[] a = Xg(0), b = Hg(0);
                for (int j = 0; j < h; j++) hNext[j] = cell == RecurrentCell.RnnTanh ? Math.Tanh(a[j] + b[j]) : Math.Max(0, a[j] + b[j]);
                break;
            }
            case RecurrentCell.Lstm:
            {
                double[] xi = Xg(0), xf = Xg(1), xg = Xg(2), xo = Xg(3), hi = Hg(0), hf = Hg(1), hg = Hg(2), ho = Hg(3);
                for (int j = 0; j < h; j++)
                {
                    double i = Sigmoid(xi[j] + hi[j]), f = Sigmoid(xf[j] + hf[j]), g = Math.Tanh(xg[j] + hg[j]), o = Sigmoid(xo[j] + ho[j]);
                    cNext[j] = f * cPrev[j] + i * g;
                    hNext[j] = o * Math.Tanh(cNext[j]);
                }
                break;
            }
            case RecurrentCell.Gru:
            {
                double[] xr = Xg(0), xz = Xg(1), xn = Xg(2), hr = Hg(0), hz = Hg(1), hn = Hg(2);
                for (int j = 0; j < h; j++)
                {
                    double r = Sigmoid(xr[j] + hr[j]), z = Sigmoid(xz[j] + hz[j]);
                    double n = Math.Tanh(xn[j] + r * hn[j]);
                    hNext[j] = (1 - z) * n + z * hPrev[j];
                }
                break;
            }
        }
        return (hNext, cNext);
    }

    /// <summary>
    /// The whole layer on x [N, T, I] (row-major): output [N, T, D·H], h_n and c_n [N, L·D, H].
    /// <paramref name="param"/> gives a parameter by its full PyTorch name ("weight_ih_l1_reverse"), null when absent.
    /// </summary>
    public static (double[] Output, double[] Hn, double[] Cn) Run(RecurrentCell cell, Func<string, double[]?> param, double[] x,
        int n, int t, int inputSize, int h, int layers, bool bidirectional, double[]? h0 = null, double[]? c0 = null)
    {
        int d = bidirectional ? 2 : 1;
        var hn = new double[n * layers * d * h];
        var cn = new double[n * layers * d * h];
        var input = x;
        int width = inputSize;
        for (int k = 0; k < layers; k++)
        {
            var output = new double[n * t * d * h];
            for (int dir = 0; dir < d; dir++)
            {
                string suffix = $"_l{k}{(dir == 1 ? "_reverse" : "")}";
                int index = k * d + dir;
                for (int s = 0; s < n; s++)
                {
                    var hs = new double[h];
                    var cs = new double[h];
                    for (int j = 0; j < h; j++)
                    {
                        hs[j] = h0 is null ? 0 : h0[(s * layers * d + index) * h + j];
                        cs[j] = c0 is null ? 0 : c0[(s * layers * d + index) * h + j];
                    }
                    for (int step = 0; step < t; step++)
                    {
                        int time = dir == 1 ? t - 1 - step : step;
                        var xt = new double[width];
                        Array.Copy(input, (s * t + time) * width, xt, 0, width);
                        (hs, cs) = Step(cell, name => param(name + suffix), width, h, xt, hs, cs);
                        Array.Copy(hs, 0, output, ((s * t + time) * d + dir) * h, h);
                    }
                    Array.Copy(hs, 0, hn, (s * layers * d + index) * h, h);
                    Array.Copy(cs, 0, cn, (s * layers * d + index) * h, h);
                }
            }
            input = output;
            width = d * h;
        }
        return (input, hn, cn);
    }
}
