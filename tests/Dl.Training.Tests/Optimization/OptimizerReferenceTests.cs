using System;
using Dl.Training;

namespace Dl.Training.Tests.Optimization;

/// <summary>
/// The reference rules against numbers worked out another way: by hand for a step or two, and in
/// closed form for a constant gradient, where each rule's sums have a known value.
/// </summary>
public class OptimizerReferenceTests
{
    private const double Tight = 1e-12;

    [Fact]
    public void Sgd_steps_against_the_gradient_plus_L2()
    {
        var p = new[] { 1.0, -2.0 };
        OptimizerReference.Sgd(p, new[] { 0.5, 0.25 }, lr: 0.1);
        Assert.Equal(0.95, p[0], Tight);
        Assert.Equal(-2.025, p[1], Tight);

        var q = new[] { 1.0, -2.0 };
        OptimizerReference.Sgd(q, new[] { 0.5, 0.25 }, lr: 0.1, weightDecay: 0.1);
        Assert.Equal(1 - 0.1 * 0.6, q[0], Tight);     // g' = 0.5 + 0.1 * 1
        Assert.Equal(-2 - 0.1 * 0.05, q[1], Tight);   // g' = 0.25 + 0.1 * -2
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Momentum_with_a_constant_gradient_follows_the_geometric_sums(bool nesterov)
    {
        // v_t = g (1 - mu^t) / (1 - mu); Nesterov steps along g + mu v_t = g (1 - mu^(t+1)) / (1 - mu).
        const double lr = 0.1, mu = 0.9, g = 2.0, p0 = 3.0;
        var p = new[] { p0 };
        var v = new double[1];
        double expected = p0;
        for (int t = 1; t <= 6; t++)
        {
            OptimizerReference.Momentum(p, new[] { g }, v, lr, mu, nesterov);
            expected -= lr * g * (1 - Math.Pow(mu, nesterov ? t + 1 : t)) / (1 - mu);
            Assert.Equal(g * (1 - Math.Pow(mu, t)) / (1 - mu), v[0], 1e-12);
            Assert.Equal(expected, p[0], 1e-12);
        }
    }

    [Fact]
    public void Momentum_by_hand_with_weight_decay()
    {
        var p = new[] { 1.0 };
        var v = new[] { 0.5 };
        OptimizerReference.Momentum(p, new[] { 0.2 }, v, lr: 0.5, momentum: 0.8, weightDecay: 0.3);
        // g' = 0.2 + 0.3 = 0.5; v = 0.8 * 0.5 + 0.5 = 0.9; p = 1 - 0.5 * 0.9
        Assert.Equal(0.9, v[0], Tight);
        Assert.Equal(0.55, p[0], Tight);
    }

    [Fact]
    public void RmsProp_with_a_constant_gradient_divides_by_the_bias_free_rms()
    {
        // s_t = g^2 (1 - rho^t), so each step is lr g / (|g| sqrt(1 - rho^t) + eps).
        const double lr = 0.01, rho = 0.9, eps = 1e-3, g = -0.5;
        var p = new[] { 1.0 };
        var s = new double[1];
        double expected = 1.0;
        for (int t = 1; t <= 5; t++)
        {
            OptimizerReference.RmsProp(p, new[] { g }, s, lr, rho, eps);
            expected -= lr * g / (Math.Abs(g) * Math.Sqrt(1 - Math.Pow(rho, t)) + eps);
            Assert.Equal(g * g * (1 - Math.Pow(rho, t)), s[0], Tight);
            Assert.Equal(expected, p[0], Tight);
        }
    }

    [Fact]
    public void AdaGrad_with_a_constant_gradient_steps_by_one_over_root_t()
    {
        const double lr = 0.1, eps = 1e-4, g = 3.0;
        var p = new[] { 0.0 };
        var sum = new double[1];
        double expected = 0;
        for (int t = 1; t <= 5; t++)
        {
            OptimizerReference.AdaGrad(p, new[] { g }, sum, lr, eps);
            expected -= lr * g / (Math.Sqrt(t) * g + eps);
            Assert.Equal(t * g * g, sum[0], Tight);
            Assert.Equal(expected, p[0], Tight);
        }
    }

    [Fact]
    public void Adam_with_a_constant_gradient_moves_lr_per_step_after_bias_correction()
    {
        // With bias correction m_hat = g and v_hat = g^2 exactly, so every step is lr g / (|g| + eps).
        const double lr = 0.01, eps = 1e-8, g = -0.3;
        var p = new[] { 2.0 };
        var m = new double[1];
        var v = new double[1];
        for (int t = 1; t <= 10; t++)
        {
            OptimizerReference.Adam(p, new[] { g }, m, v, lr, 0.9, 0.999, eps, t);
            Assert.Equal(2.0 + t * lr * 0.3 / (0.3 + eps), p[0], 1e-12);
            Assert.Equal(g * (1 - Math.Pow(0.9, t)), m[0], Tight);
        }
    }

    [Fact]
    public void Adam_two_steps_by_hand()
    {
        var p = new[] { 1.0 };
        var m = new double[1];
        var v = new double[1];
        OptimizerReference.Adam(p, new[] { 1.0 }, m, v, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 0, step: 1);
        Assert.Equal(0.9, p[0], Tight); // m_hat = 1, v_hat = 1
        OptimizerReference.Adam(p, new[] { -1.0 }, m, v, lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 0, step: 2);
        // m = 0.09 - 0.1 = -0.01, m_hat = -0.01 / 0.19; v = 0.000999 + 0.001 = 0.001999, v_hat = 1
        Assert.Equal(-0.01, m[0], Tight);
        Assert.Equal(0.001999, v[0], Tight);
        Assert.Equal(0.9 + 0.1 * 0.01 / 0.19, p[0], Tight);
    }

    [Fact]
    public void AdamW_decays_geometrically_without_gradient_while_Adam_L2_does_not()
    {
        const double lr = 0.1, wd = 0.5;
        var p = new[] { 4.0 };
        var m = new double[1];
        var v = new double[1];
        for (int t = 1; t <= 4; t++)
        {
            OptimizerReference.AdamW(p, new[] { 0.0 }, m, v, lr, 0.9, 0.999, 1e-8, t, wd);
            Assert.Equal(4.0 * Math.Pow(1 - lr * wd, t), p[0], Tight);
        }

        // L2 Adam turns the decay into a gradient wd * p, which Adam normalises to a step of ~lr.
        var q = new[] { 4.0 };
        OptimizerReference.Adam(q, new[] { 0.0 }, new double[1], new double[1], lr, 0.9, 0.999, 1e-8, 1, wd);
        Assert.Equal(4.0 - lr * 2.0 / (2.0 + 1e-8), q[0], Tight);
    }

    [Fact]
    public void AddL2_adds_the_decay_gradient_in_place()
    {
        var g = new[] { 1.0, 1.0 };
        OptimizerReference.AddL2(g, new[] { 2.0, -4.0 }, 0.25);
        Assert.Equal(new[] { 1.5, 0.0 }, g);
    }

    [Fact]
    public void ClipByGlobalNorm_scales_only_when_over_the_limit_and_returns_the_norm()
    {
        var g = new[] { 3.0, 4.0 };
        Assert.Equal(5.0, OptimizerReference.ClipByGlobalNorm(g, 1.0), Tight);
        Assert.Equal(0.6, g[0], Tight);
        Assert.Equal(0.8, g[1], Tight);

        var h = new[] { 3.0, 4.0 };
        Assert.Equal(5.0, OptimizerReference.ClipByGlobalNorm(h, 10.0), Tight);
        Assert.Equal(new[] { 3.0, 4.0 }, h);
    }

    [Fact]
    public void Mismatched_lengths_and_step_zero_are_refused()
    {
        Assert.Throws<ArgumentException>(() => OptimizerReference.Sgd(new double[2], new double[3], 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            OptimizerReference.Adam(new double[1], new double[1], new double[1], new double[1], 0.1, 0.9, 0.999, 1e-8, step: 0));
    }
}
